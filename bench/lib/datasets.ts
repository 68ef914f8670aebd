import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { FASHION_MNIST_CLASSES, imageAt, loadFashionMnist, sampleStratified, type GreyImageSet } from '../../packages/ml/src/datasets';
import type { EmbedInput } from '../../packages/ml/src/embeddings';
import { createRng, deriveSeed, shuffleInPlace } from '../../packages/ml/src/random';
import type { TrainingImage } from '../../packages/ml/src/pipeline';
import { fashionTrainingImages, greyInputs } from './fashion-inputs';

export type BenchDatasetName = 'fashion-mnist' | 'cifar10-dev';

/** One seed's split: training images (labelled, and optionally unlabelled), and scored images never trained on. */
export interface BenchSplit {
  classes: string[];
  train: TrainingImage[];
  /** Further training-split images whose labels are withheld (semi-supervised runs). */
  unlabeled: TrainingImage[];
  test: { inputs: EmbedInput[]; labels: Int32Array; count: number; encoded(i: number): Promise<Buffer> };
  /** The frozen-features logistic-regression baseline's backbone and input size for this kind of image. */
  baseline: { backbone: string; inputSize: number; layer: string };
  describe: string;
}

export const CIFAR10_DEV_DIR = process.env.CIFAR10_DEV_DIR ?? path.join(__dirname, '..', '..', '..', 'shared', 'datasets', 'cifar10-dev');

let fashion: { train: GreyImageSet; test: GreyImageSet } | undefined;

/**
 * Fashion-MNIST: `perClass` per class sampled (seeded) from the official train split; the official test split scored.
 * cifar10-dev: each class folder (200 train-split photos) shuffled by the seed; the first 100 are the training pool
 * (the first `perClass` labelled, the next `unlabeledPerClass` unlabelled), the other 100 are scored.
 */
export function benchSplit(name: BenchDatasetName, seed: number, opts: { perClass: number; testLimit: number; unlabeled?: number; unlabeledPerClass?: number }): BenchSplit {
  if (name === 'fashion-mnist') {
    fashion ??= { train: loadFashionMnist('train'), test: loadFashionMnist('test') };
    const { train, test } = fashion;
    const idx = sampleStratified(train.labels, opts.perClass, seed);
    const taken = new Set(idx);
    // Unlabelled images: other train-split images, drawn with their own seed.
    const rest = Array.from({ length: train.count }, (_, i) => i).filter((i) => !taken.has(i));
    shuffleInPlace(rest, createRng(deriveSeed(seed, 'unlabeled')));
    const unl = rest.slice(0, opts.unlabeled ?? 0);
    const testIdx = Array.from({ length: Math.min(opts.testLimit, test.count) }, (_, i) => i);
    return {
      classes: [...FASHION_MNIST_CLASSES],
      train: fashionTrainingImages(train, idx, 'train'),
      unlabeled: fashionTrainingImages(train, unl, 'train'),
      test: {
        inputs: greyInputs(test, testIdx),
        labels: Int32Array.from(testIdx, (i) => test.labels[i]),
        count: testIdx.length,
        encoded: (i) => sharp(Buffer.from(imageAt(test, testIdx[i])), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer(),
      },
      baseline: { backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 96, layer: 'pool_conv_1' },
      describe: `Fashion-MNIST: ${opts.perClass}/class from the official train split${unl.length ? ` + ${unl.length} unlabelled` : ''}, ${testIdx.length} official test images`,
    };
  }
  const classes = readdirSync(CIFAR10_DEV_DIR).filter((d) => !d.startsWith('.')).sort();
  const train: TrainingImage[] = [];
  const unlabeled: TrainingImage[] = [];
  const testFiles: Buffer[] = [];
  const testLabels: number[] = [];
  const rng = createRng(deriveSeed(seed, 'cifar10-dev'));
  const unlPer = opts.unlabeledPerClass ?? 0;
  if (opts.perClass + unlPer > 100) throw new Error('cifar10-dev has 100 training images per class (the other 100 are scored)');
  classes.forEach((c, k) => {
    const files = readdirSync(path.join(CIFAR10_DEV_DIR, c)).sort();
    shuffleInPlace(files, rng);
    const read = (f: string) => readFileSync(path.join(CIFAR10_DEV_DIR, c, f));
    const image = (f: string): TrainingImage => ({ id: `${c}/${f}`, sha256: `${c}/${f}`, label: c, filename: f, bytes: read(f) });
    files.slice(0, opts.perClass).forEach((f) => train.push(image(f)));
    files.slice(opts.perClass, opts.perClass + unlPer).forEach((f) => unlabeled.push(image(f)));
    files.slice(100, Math.min(200, 100 + Math.ceil(opts.testLimit / classes.length))).forEach((f) => {
      testFiles.push(read(f));
      testLabels.push(k);
    });
  });
  return {
    classes,
    train,
    unlabeled,
    test: { inputs: testFiles, labels: Int32Array.from(testLabels), count: testFiles.length, encoded: async (i) => testFiles[i] },
    baseline: { backbone: 'mobilenet_edgetpu_224_1.0_uint8', inputSize: 160, layer: 'pool_conv_1' },
    describe: `cifar10-dev: ${opts.perClass}/class${unlPer ? ` + ${unlPer}/class unlabelled` : ''} from each class's 100-image training half (seeded), the other ${testFiles.length} scored`,
  };
}
