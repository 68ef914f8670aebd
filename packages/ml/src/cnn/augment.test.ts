import * as tf from '@tensorflow/tfjs';
import { augmentBatch, randomAffineTransforms } from './augment';
import { makeRng } from '../random';

describe('augmentation', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is the identity with zero ranges and follows the seed otherwise', () => {
    const id = randomAffineTransforms(2, 28, 28, makeRng(1), { rotationDeg: 0, shift: 0, zoom: 0 });
    [1, 0, 0, 0, 1, 0, 0, 0].forEach((v, i) => expect(id[8 + i]).toBeCloseTo(v, 6));
    const a = randomAffineTransforms(4, 28, 28, makeRng(5));
    expect(randomAffineTransforms(4, 28, 28, makeRng(5))).toEqual(a);
    expect(randomAffineTransforms(4, 28, 28, makeRng(6))).not.toEqual(a);
  });

  it('moves an image by the requested shift', () => {
    // A single bright pixel at the centre; with only a shift of ±0.1 (≤ 2.8 px) it stays within 3 px of the centre.
    const img = tf.buffer([1, 28, 28, 1]);
    img.set(1, 0, 14, 14, 0);
    const out = augmentBatch(img.toTensor() as tf.Tensor4D, makeRng(3), { rotationDeg: 0, zoom: 0, shift: 0.1 });
    const v = out.dataSync();
    const idx = v.findIndex((p) => p > 0.2);
    expect(idx).toBeGreaterThanOrEqual(0);
    const [r, c] = [Math.floor(idx / 28), idx % 28];
    expect(Math.abs(r - 14)).toBeLessThanOrEqual(3);
    expect(Math.abs(c - 14)).toBeLessThanOrEqual(3);
    expect(out.shape).toEqual([1, 28, 28, 1]);
    out.dispose();
  });
});
