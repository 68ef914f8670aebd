import * as tf from '@tensorflow/tfjs';
import type { RandomFn as Rng } from '../random';

/**
 * Random affine augmentation in the spirit of Keras' ImageDataGenerator(rotation_range, width/height_shift_range,
 * zoom_range): each image gets its own rotation in ±rotationDeg, shift in ±shift (fraction of width/height) and
 * zoom factor in [1-zoom, 1+zoom], bilinearly sampled, filled with 0 (Fashion-MNIST's black background).
 */
export interface AugmentOptions {
  /** First epoch (0-based) trained on augmented batches; earlier epochs see the originals. Default 0. */
  fromEpoch?: number;
  rotationDeg?: number;
  shift?: number;
  zoom?: number;
}

export const DEFAULT_AUGMENT = { fromEpoch: 0, rotationDeg: 10, shift: 0.1, zoom: 0.1 } as const;

/** Per-image projective transforms (tf.image.transform's 8 numbers: output pixel → input point). */
export function randomAffineTransforms(n: number, height: number, width: number, rng: Rng, opts: AugmentOptions = {}): Float32Array {
  const { rotationDeg, shift, zoom } = { ...DEFAULT_AUGMENT, ...opts };
  const out = new Float32Array(n * 8);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const uniform = (r: number) => (rng() * 2 - 1) * r;
  for (let i = 0; i < n; i++) {
    const theta = (uniform(rotationDeg) * Math.PI) / 180;
    const scale = 1 / (1 + uniform(zoom)); // sampling the input 1/z as far from the centre magnifies by z
    const dx = uniform(shift) * width;
    const dy = uniform(shift) * height;
    const cos = Math.cos(theta) * scale;
    const sin = Math.sin(theta) * scale;
    // input = M (p - c) + c - d, with M a scaled rotation; p = (x, y) = (column, row).
    out.set([cos, -sin, cx - cos * cx + sin * cy - dx, sin, cos, cy - sin * cx - cos * cy - dy, 0, 0], i * 8);
  }
  return out;
}

/** Augments an NHWC batch; the caller owns the returned tensor. */
export function augmentBatch(images: tf.Tensor4D, rng: Rng, opts: AugmentOptions = {}): tf.Tensor4D {
  const [n, h, w] = images.shape;
  return tf.tidy(() => {
    const transforms = tf.tensor2d(randomAffineTransforms(n, h, w, rng, opts), [n, 8]);
    return tf.image.transform(images, transforms, 'bilinear', 'constant', 0);
  });
}
