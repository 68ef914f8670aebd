import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { CNN_INPUT, imageToCnnInput, imagesToCnnBatch } from './input';

const datasets = process.env.TAILOR_DATASETS_DIR ?? path.resolve(__dirname, '../../../../../shared/datasets');
const trouserDir = path.join(datasets, 'nanonets-fashion', 'test', 'Trouser');

describe('CNN input policy (greyscale, 28x28 fill, [0,1])', () => {
  it('turns a real 28x28 tutorial JPEG into 784 values in [0,1] equal to its greyscale pixels / 255', async () => {
    const jpeg = readFileSync(path.join(trouserDir, readdirSync(trouserDir).sort()[0]));
    const x = await imageToCnnInput(jpeg);
    expect(x).toHaveLength(CNN_INPUT.height * CNN_INPUT.width);
    const { data, info } = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([28, 28]);
    x.forEach((v, i) => expect(v).toBeCloseTo(data[i * info.channels] / 255, 6));
    expect(Math.max(...x)).toBeGreaterThan(0.5); // a garment, not an empty frame
  });

  it('resizes a large colour image with alpha to one 28x28 channel, ignoring aspect ratio', async () => {
    // Left half white, right half black, 200x100 RGBA: after 'fill' resizing the left columns are bright.
    const w = 200;
    const h = 100;
    const raw = Buffer.alloc(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(x < w / 2 ? [255, 255, 255, 255] : [0, 0, 0, 255], (y * w + x) * 4);
    const png = await sharp(raw, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();
    const batch = await imagesToCnnBatch([png, png]);
    expect(batch).toHaveLength(2 * 784);
    expect(batch[14 * 28 + 2]).toBeGreaterThan(0.95);
    expect(batch[14 * 28 + 25]).toBeLessThan(0.05);
    expect(batch.subarray(784)).toEqual(batch.subarray(0, 784));
  });
});
