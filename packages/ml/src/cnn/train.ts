import * as tf from '@tensorflow/tfjs';
import { buildCnn, type CnnArch } from './architectures';
import { saveCnn, type CnnArtifact } from './artifact';
import { augmentBatch, type AugmentOptions } from './augment';
import { evaluateCnn } from './evaluate';
import { makeRng, nextSeed, shuffleInPlace, withSeededMathRandom } from '../random';

export interface LabelledImages {
  /** NHWC float32 greyscale in [0,1], n * h * w * 1 values. */
  images: Float32Array;
  /** Class index per image, in [0, classes.length). */
  labels: ArrayLike<number>;
}

export interface EpochStats {
  epoch: number; // 1-based, as Keras prints it
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  augmented: boolean;
  seconds: number;
  imagesPerSecond: number;
}

export interface TrainCnnOptions extends LabelledImages {
  classes: string[];
  arch: CnnArch;
  epochs: number;
  batchSize?: number; // default 256, the tutorial's
  seed?: number; // default 0
  learningRate?: number; // Adam, default 0.001 (Keras' default)
  inputShape?: [number, number, number]; // default [28, 28, 1]
  /** Train on randomly rotated/shifted/zoomed batches from `augment.fromEpoch` (0-based) on; see augment.ts. */
  augment?: AugmentOptions | boolean;
  validation?: LabelledImages;
  /** Called after every epoch with that epoch's figures and the live model (e.g. to score a test set). */
  onEpoch?: (stats: EpochStats, model: tf.LayersModel) => void | Promise<void>;
}

export interface TrainCnnResult {
  artifact: CnnArtifact;
  history: EpochStats[];
}

/**
 * Trains one of the tutorial CNNs from scratch with categorical cross-entropy and Adam, Keras-style: per epoch a
 * seeded shuffle, mini-batches with dropout and BatchNorm in training mode, running mean loss/accuracy over the
 * batches, then validation in inference mode. The loop is written out (not `model.fit`) so that the shuffle, the
 * dropout masks and the augmentation all follow from `seed` — tfjs' fit shuffles with an unseeded Math.random.
 */
export async function trainCnn(opts: TrainCnnOptions): Promise<TrainCnnResult> {
  const { classes, arch, epochs, batchSize = 256, seed = 0, learningRate = 0.001, inputShape = [28, 28, 1] } = opts;
  const per = inputShape[0] * inputShape[1] * inputShape[2];
  const n = opts.labels.length;
  validateData(opts, classes.length, per, 'training');
  if (opts.validation) validateData(opts.validation, classes.length, per, 'validation');
  if (n === 0) throw new Error('trainCnn: no training images');
  const augment = opts.augment === true ? {} : opts.augment || undefined;

  const rng = makeRng(seed);
  const model = buildCnn(arch, classes.length, inputShape, nextSeed(rng));
  const shuffleRng = makeRng(nextSeed(rng));
  const dropoutRng = makeRng(nextSeed(rng));
  const augmentRng = makeRng(nextSeed(rng));
  const optimizer = tf.train.adam(learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const history: EpochStats[] = [];
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const xBuf = new Float32Array(batchSize * per);
  const yBuf = new Int32Array(batchSize);

  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const started = Date.now();
      const augmented = augment !== undefined && epoch >= (augment.fromEpoch ?? 0);
      shuffleInPlace(order, shuffleRng);
      let lossSum = 0;
      let correct = 0;
      for (let start = 0; start < n; start += batchSize) {
        const m = Math.min(batchSize, n - start);
        for (let i = 0; i < m; i++) {
          const src = order[start + i];
          xBuf.set(opts.images.subarray(src * per, (src + 1) * per), i * per);
          yBuf[i] = opts.labels[src];
        }
        const [batchLoss, batchCorrect] = trainStep(model, optimizer, variables, {
          x: xBuf.subarray(0, m * per),
          y: yBuf.subarray(0, m),
          m,
          inputShape,
          numClasses: classes.length,
          augment: augmented ? (t) => augmentBatch(t, augmentRng, augment) : undefined,
          dropoutRng,
        });
        lossSum += batchLoss * m;
        correct += batchCorrect;
      }
      const seconds = (Date.now() - started) / 1000;
      const stats: EpochStats = { epoch: epoch + 1, loss: lossSum / n, accuracy: correct / n, augmented, seconds, imagesPerSecond: n / seconds };
      if (opts.validation) {
        const v = evaluateCnn(model, opts.validation.images, opts.validation.labels, batchSize);
        stats.valLoss = v.loss;
        stats.valAccuracy = v.accuracy;
      }
      history.push(stats);
      await opts.onEpoch?.(stats, model);
    }
    const artifact = await saveCnn(model, { arch, classes, inputShape });
    return { artifact, history };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

interface StepInput {
  x: Float32Array;
  y: Int32Array;
  m: number;
  inputShape: [number, number, number];
  numClasses: number;
  augment?: (batch: tf.Tensor4D) => tf.Tensor4D;
  dropoutRng: () => number;
}

/** One Adam step; returns the batch's mean loss and its number of correct predictions (dropout active, as Keras). */
function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, variables: tf.Variable[], s: StepInput): [number, number] {
  const [loss, correct] = tf.tidy(() => {
    const raw = tf.tensor4d(s.x, [s.m, ...s.inputShape]);
    const x = s.augment ? s.augment(raw) : raw;
    const labels = tf.tensor1d(s.y, 'int32');
    const y = tf.oneHot(labels, s.numClasses).toFloat();
    let hits: tf.Scalar | undefined;
    // Synchronous on every backend used here, so the Math.random swap covers exactly this step's dropout masks.
    const lossValue = withSeededMathRandom(s.dropoutRng, () =>
      optimizer.minimize(
        () => {
          const probs = model.apply(x, { training: true }) as tf.Tensor2D;
          hits = tf.keep(tf.equal(tf.argMax(probs, 1), labels).sum() as tf.Scalar);
          return tf.metrics.categoricalCrossentropy(y, probs).mean() as tf.Scalar;
        },
        true,
        variables,
      ),
    );
    return [lossValue!, hits!];
  });
  const values = [loss.dataSync()[0], correct.dataSync()[0]] as [number, number];
  loss.dispose();
  correct.dispose();
  return values;
}

function validateData(d: LabelledImages, numClasses: number, per: number, what: string): void {
  if (d.images.length !== d.labels.length * per) {
    throw new Error(`trainCnn: ${what} images hold ${d.images.length} values, expected ${d.labels.length} x ${per}`);
  }
  for (let i = 0; i < d.labels.length; i++) {
    const l = d.labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) throw new Error(`trainCnn: ${what} label ${l} at ${i} is outside [0, ${numClasses})`);
  }
}
