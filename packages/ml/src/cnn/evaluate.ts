import * as tf from '@tensorflow/tfjs';

/** Keras' categorical cross-entropy clips probabilities to [1e-7, 1-1e-7]; the same here so losses compare. */
const EPSILON = 1e-7;

export interface EvalResult {
  loss: number;
  accuracy: number;
}

/** Loss and accuracy of a softmax model on NHWC images, in inference mode (dropout off, BatchNorm moving stats). */
export function evaluateCnn(model: tf.LayersModel, images: Float32Array, labels: ArrayLike<number>, batchSize = 256): EvalResult {
  const probs = predictProbabilities(model, images, labels.length, batchSize);
  const k = probs.length / labels.length;
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = probs.subarray(i * k, (i + 1) * k);
    const p = Math.min(Math.max(row[labels[i]], EPSILON), 1 - EPSILON);
    loss -= Math.log(p);
    let best = 0;
    for (let c = 1; c < k; c++) if (row[c] > row[best]) best = c;
    if (best === labels[i]) correct++;
  }
  return { loss: loss / labels.length, accuracy: correct / labels.length };
}

/** Class probabilities, row-major [n, numClasses]. */
export function predictProbabilities(model: tf.LayersModel, images: Float32Array, n: number, batchSize = 256): Float32Array {
  const [h, w, c] = model.inputs[0].shape.slice(1) as number[];
  const per = h * w * c;
  if (images.length !== n * per) throw new Error(`expected ${n} images of ${h}x${w}x${c} (${n * per} values), got ${images.length}`);
  const numClasses = model.outputs[0].shape[1] as number;
  const out = new Float32Array(n * numClasses);
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const p = tf.tidy(() => model.predict(tf.tensor4d(images.subarray(start * per, (start + m) * per), [m, h, w, c])) as tf.Tensor);
    out.set(p.dataSync(), start * numClasses);
    p.dispose();
  }
  return out;
}
