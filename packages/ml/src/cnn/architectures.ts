import * as tf from '@tensorflow/tfjs';
import { makeRng, nextSeed } from '../random';

/** The three CNNs of the Fashion-MNIST tutorial (NanoNets), trained from scratch. */
export const CNN_ARCHS = ['cnn1', 'cnn3', 'cnn4'] as const;
export type CnnArch = (typeof CNN_ARCHS)[number];

/**
 * Builds an uncompiled Sequential model exactly as the tutorial defines it in Keras (Keras defaults: 'valid' padding,
 * Glorot-uniform kernels, zero biases, BatchNormalization momentum 0.99 / epsilon 1e-3, pool stride = pool size).
 * `seed` fixes every kernel initialiser, so the same seed gives the same initial weights.
 */
export function buildCnn(arch: CnnArch, numClasses: number, inputShape: [number, number, number] = [28, 28, 1], seed = 0): tf.Sequential {
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new Error(`buildCnn: numClasses must be an integer >= 2, got ${numClasses}`);
  const rng = makeRng(seed);
  const init = () => tf.initializers.glorotUniform({ seed: nextSeed(rng) });
  let first = true;
  // Layer names numbered within this model (tfjs' defaults count up process-wide), so a saved model's JSON depends
  // only on the architecture and the seed: same seed, byte-identical artifact.
  const counts = new Map<string, number>();
  const named = (kind: string) => {
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    return { name: `${kind}_${counts.get(kind)}` };
  };
  // The first layer carries the input shape; every later layer infers it.
  const shape = () => (first ? ((first = false), { inputShape }) : {});
  const conv = (filters: number) =>
    tf.layers.conv2d({ ...shape(), ...named('conv2d'), filters, kernelSize: 3, activation: 'relu', kernelInitializer: init() });
  const dense = (units: number, activation: 'relu' | 'softmax') => tf.layers.dense({ ...named('dense'), units, activation, kernelInitializer: init() });
  const pool = () => tf.layers.maxPooling2d({ ...named('max_pooling2d'), poolSize: 2 });
  const drop = (rate: number) => tf.layers.dropout({ ...named('dropout'), rate });
  const bn = () => tf.layers.batchNormalization(named('batch_normalization'));
  const flat = () => tf.layers.flatten(named('flatten'));

  const layers: Record<CnnArch, () => tf.layers.Layer[]> = {
    cnn1: () => [conv(32), pool(), drop(0.2), flat(), dense(128, 'relu'), dense(numClasses, 'softmax')],
    cnn3: () => [
      conv(32), pool(), drop(0.25),
      conv(64), pool(), drop(0.25),
      conv(128), drop(0.4),
      flat(), dense(128, 'relu'), drop(0.3), dense(numClasses, 'softmax'),
    ],
    cnn4: () => [
      conv(32), bn(),
      conv(32), bn(), pool(), drop(0.25),
      conv(64), bn(), drop(0.25),
      conv(128), bn(), pool(), drop(0.25),
      flat(), dense(512, 'relu'), bn(), drop(0.5),
      dense(128, 'relu'), bn(), drop(0.5),
      dense(numClasses, 'softmax'),
    ],
  };
  if (!(arch in layers)) throw new Error(`buildCnn: unknown arch ${arch}; expected one of ${CNN_ARCHS.join(', ')}`);
  return tf.sequential({ name: arch, layers: layers[arch]() });
}
