import { tf } from '../../packages/ml/src/tf/backend';
import { buildCnn, type CnnArch } from '../../packages/ml/src/cnn';

/**
 * Forward + backward + Adam update throughput at a given batch size (the tutorial's 256) on 28x28x1, on real images
 * so activations look like training's. One warm-up step (kernel set-up, allocation) is not timed.
 */
export function trainingImagesPerSecond(arch: CnnArch, images: Float32Array, labels: ArrayLike<number>, batchSize: number, steps: number): number {
  const model = buildCnn(arch, 10, [28, 28, 1], 1);
  const optimizer = tf.train.adam(0.001);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const x = tf.tensor4d(images.subarray(0, batchSize * 784), [batchSize, 28, 28, 1]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(labels).slice(0, batchSize), 'int32'), 10).toFloat());
  const step = () => {
    const loss = optimizer.minimize(() => tf.metrics.categoricalCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor).mean() as tf.Scalar, true, vars)!;
    loss.dataSync();
    loss.dispose();
  };
  try {
    step();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) step();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return (steps * batchSize) / seconds;
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}
