import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { InvalidImageError } from '../preprocess/decode-image';
import { loadTrainingImages, requireImagesPerClass, skippedMessage } from './load-images';
import type { TrainingImage } from './types';

const SHARED = process.env.TAILOR_SHARED_DIR ?? resolve(__dirname, '../../../../../shared');
const BAGS = join(SHARED, 'datasets/nanonets-fashion/train/Bag');
const bags = readdirSync(BAGS).sort().slice(0, 3).map((f) => readFileSync(join(BAGS, f)));

const image = (id: string, extra: Partial<TrainingImage>): TrainingImage => ({ id, sha256: id, label: 'Bag', ...extra });

describe('loadTrainingImages: the loading step of a run', () => {
  it('keeps the images that decode, in order, and names the ones that do not with the reason', async () => {
    const truncated = bags[1]!.subarray(0, Math.floor(bags[1]!.length * 0.8));
    const wide = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toBuffer();
    let done = 0;
    const loaded = await loadTrainingImages(
      [
        image('a', { bytes: bags[0] }),
        image('b', { filename: 'cut-off.jpg', load: async () => truncated }),
        image('c', { filename: 'gone.jpg', load: async () => Promise.reject(new InvalidImageError('the stored file is missing')) }),
        image('d', { load: async () => bags[2]! }),
        image('e', { filename: 'wide.png', bytes: wide }),
        image('f', { pixels: { pixels: new Uint8Array(4), width: 2, height: 2, channels: 1 } }),
      ],
      { limits: { maxPixels: 1_000_000 }, onLoaded: (n) => (done = n) },
    );
    expect(done).toBe(6);
    expect(loaded.images.map((i) => i.id)).toEqual(['a', 'd', 'f']);
    expect(loaded.inputs[0]).toBe(bags[0]);
    expect(loaded.inputs[1]).toBe(bags[2]);
    expect(loaded.inputs[2]).toMatchObject({ width: 2, height: 2 });
    // libvips' wording of the damage ("premature end of JPEG image") can be lost under concurrent decodes; the verdict is not.
    expect(loaded.skipped).toEqual([
      { id: 'b', filename: 'cut-off.jpg', reason: expect.stringMatching(/^image data is truncated or corrupt( \(VipsJpeg: premature end of JPEG image\))?$/) },
      { id: 'c', filename: 'gone.jpg', reason: 'the stored file is missing' },
      { id: 'e', filename: 'wide.png', reason: 'image is 2000x1000 (2.0 megapixels); the limit is 1.0 megapixels' },
    ]);
    expect(skippedMessage(loaded.skipped)).toBe(
      `skipped 3 unreadable images: cut-off.jpg (${loaded.skipped[0]!.reason}); ` +
        'gone.jpg (the stored file is missing); wide.png (image is 2000x1000 (2.0 megapixels); the limit is 1.0 megapixels)',
    );
  });

  it('fails on anything else a loader throws (a store that is down is retried, not trained around)', async () => {
    const down = image('x', { load: async () => Promise.reject(new Error('connect ECONNREFUSED')) });
    await expect(loadTrainingImages([image('a', { bytes: bags[0] }), down])).rejects.toThrow('connect ECONNREFUSED');
  });

  it('names the skipped files when they leave a class short', () => {
    const skipped = [{ id: 'b', filename: 'cut-off.jpg', reason: 'image data is truncated or corrupt' }];
    expect(() => requireImagesPerClass(['Bag', 'Coat'], Int32Array.from([0, 0, 1, 1]), 2, skipped)).not.toThrow();
    expect(() => requireImagesPerClass(['Bag', 'Coat'], Int32Array.from([0, 1, 1]), 2, skipped)).toThrow(
      'every class needs at least 2 images; too few: Bag (1); skipped 1 unreadable image: cut-off.jpg (image data is truncated or corrupt)',
    );
    expect(() => requireImagesPerClass(['Bag', 'Coat'], Int32Array.from([1, 1]), 2)).toThrow(/^every class needs at least 2 images; too few: Bag \(0\)$/);
  });
});
