import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRng, deriveSeed, shuffleInPlace } from '../random';
import { parseIdx } from './idx';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

export interface GreyImageSet {
  /** Images concatenated, each width*height bytes (0 = background, as in the official files). */
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
  width: number;
  height: number;
}

/** `FASHION_MNIST_DIR`, else `<repo>/../shared/datasets/fashion-mnist` (the repo root is four levels above here). */
export function fashionMnistDir(): string {
  return process.env.FASHION_MNIST_DIR ?? resolve(__dirname, '../../../../../shared/datasets/fashion-mnist');
}

/** Reads the official idx `.gz` files of one split ('train': 60,000 images, 'test': 10,000). */
export function loadFashionMnist(split: 'train' | 'test', dir = fashionMnistDir()): GreyImageSet {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = parseIdx(readFileSync(join(dir, `${prefix}-images-idx3-ubyte.gz`)));
  const labels = parseIdx(readFileSync(join(dir, `${prefix}-labels-idx1-ubyte.gz`)));
  const [count, height, width] = images.dims;
  if (labels.dims[0] !== count) throw new Error(`${split}: ${count} images but ${labels.dims[0]} labels`);
  return { pixels: images.data, labels: labels.data, count, width, height };
}

/**
 * Seeded stratified sample: `perClass` indices of each label (all of a class if it has fewer), returned in a
 * seeded shuffled order so that a sample is not sorted by class.
 */
export function sampleStratified(labels: ArrayLike<number>, perClass: number, seed: number): number[] {
  const rng = createRng(deriveSeed(seed, 'sample'));
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = byClass.get(labels[i]) ?? [];
    l.push(i);
    byClass.set(labels[i], l);
  }
  const picked: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const l = byClass.get(c)!;
    shuffleInPlace(l, rng);
    picked.push(...l.slice(0, perClass));
  }
  shuffleInPlace(picked, rng);
  return picked;
}

/** The bytes of image `i` (width*height). */
export function imageAt(set: GreyImageSet, i: number): Uint8Array {
  const n = set.width * set.height;
  return set.pixels.subarray(i * n, (i + 1) * n);
}
