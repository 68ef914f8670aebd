import { FASHION_MNIST_CLASSES, loadFashionMnist, sampleStratified, type GreyImageSet } from '../../packages/ml/src/datasets';
import { makeRng } from '../../packages/ml/src/random';
import type { CnnLabelledImages as LabelledImages } from '../../packages/ml/src/cnn';

export const CLASSES = [...FASHION_MNIST_CLASSES];

/** Selected images of an official split as the CNN input (NHWC float32 in [0,1]). */
export function toLabelled(set: GreyImageSet, indices: ArrayLike<number>): LabelledImages {
  const per = set.width * set.height;
  const images = new Float32Array(indices.length * per);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i];
    for (let p = 0; p < per; p++) images[i * per + p] = set.pixels[src * per + p] / 255;
    labels[i] = set.labels[src];
  }
  return { images, labels };
}

/** The tutorial's train/validation split: a seeded shuffle of the 60,000, first 80% train, rest validation. */
export function splitTrainValidation(count: number, seed: number, trainFraction = 0.8): { train: number[]; validation: number[] } {
  const order = Array.from({ length: count }, (_, i) => i);
  const rng = makeRng(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const cut = Math.round(count * trainFraction);
  return { train: order.slice(0, cut), validation: order.slice(cut) };
}

export { loadFashionMnist, sampleStratified };
