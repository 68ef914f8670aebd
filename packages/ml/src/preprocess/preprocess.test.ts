import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { decodeImageInfo, decodeToRgb, greyPixelsToRgb, InvalidImageError } from './decode-image';
import { preprocessBatch, preprocessGreyPixels, preprocessImage } from './preprocess-image';

const DATASETS = process.env.TAILOR_DATASETS_DIR ?? path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'datasets');
const sneaker = readFileSync(path.join(DATASETS, 'nanonets-fashion', 'test', 'Sneaker', 'test_0025.jpeg'));

/** A 40x20 image: left half red, right half blue. */
const halves = () => {
  const px = Buffer.alloc(40 * 20 * 3);
  for (let y = 0; y < 20; y++)
    for (let x = 0; x < 40; x++) px.set(x < 20 ? [255, 0, 0] : [0, 0, 255], (y * 40 + x) * 3);
  return sharp(px, { raw: { width: 40, height: 20, channels: 3 } });
};
const pixel = (img: { width: number; data: ArrayLike<number> }, x: number, y: number) =>
  Array.from({ length: 3 }, (_, c) => img.data[(y * img.width + x) * 3 + c]);

describe('preprocessImage', () => {
  it('turns a 28x28 greyscale Fashion-MNIST JPEG into S x S RGB floats in [-1, 1]', async () => {
    expect(await decodeImageInfo(sneaker)).toMatchObject({ format: 'jpeg', width: 28, height: 28, channels: 1, hasAlpha: false });
    const img = await preprocessImage(sneaker, { size: 96 });
    expect(img.width).toBe(96);
    expect(img.data).toHaveLength(96 * 96 * 3);
    let min = Infinity, max = -Infinity, nonGrey = 0;
    for (let i = 0; i < img.data.length; i += 3) {
      if (img.data[i + 1] !== img.data[i] || img.data[i + 2] !== img.data[i]) nonGrey++;
      min = Math.min(min, img.data[i]);
      max = Math.max(max, img.data[i]);
    }
    expect(nonGrey).toBe(0);
    // Fashion-MNIST: black background, bright garment.
    expect(min).toBe(-1);
    expect(max).toBeGreaterThan(0.5);
    expect(max).toBeLessThanOrEqual(1);
  });

  it('gives identical output for raw grey pixels and the JPEG they came from (idx benchmarks == service)', async () => {
    const { data, info } = await sharp(sneaker).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(1);
    for (const size of [96, 224]) {
      const fromJpeg = await preprocessImage(sneaker, { size });
      const fromPixels = await preprocessGreyPixels(new Uint8Array(data), 28, 28, { size });
      expect(fromPixels.data).toHaveLength(size * size * 3);
      // Element-wise (jest's deep equality on 150k-element typed arrays takes seconds).
      let differing = 0;
      for (let i = 0; i < fromJpeg.data.length; i++) if (fromPixels.data[i] !== fromJpeg.data[i]) differing++;
      expect(differing).toBe(0);
    }
    await expect(greyPixelsToRgb(new Uint8Array(10), 28, 28, { size: 96 })).rejects.toThrow(/784 grey pixels/);
  });

  it('applies EXIF orientation 6 (rotate 90 degrees clockwise) before resizing', async () => {
    const jpeg = await halves().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    expect(await decodeImageInfo(jpeg)).toMatchObject({ width: 20, height: 40, orientation: 6 });
    const rgb = await decodeToRgb(jpeg, { size: 32 });
    // Stored left (red) half ends up on top once displayed.
    const [r1, , b1] = pixel(rgb, 16, 4);
    const [r2, , b2] = pixel(rgb, 16, 28);
    expect(r1).toBeGreaterThan(200);
    expect(b1).toBeLessThan(60);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(60);
  });

  it('handles PNG alpha: drop keeps the colour under transparency, flatten composes onto the background', async () => {
    const rgba = Buffer.alloc(16 * 16 * 4);
    for (let p = 0; p < 256; p++) rgba.set(p < 128 ? [0, 200, 0, 255] : [0, 200, 0, 0], p * 4);
    const png = await sharp(rgba, { raw: { width: 16, height: 16, channels: 4 } }).png().toBuffer();
    expect(await decodeImageInfo(png)).toMatchObject({ format: 'png', hasAlpha: true, channels: 4 });
    const dropped = await decodeToRgb(png, { size: 16 });
    expect(dropped.data).toHaveLength(16 * 16 * 3);
    expect(pixel(dropped, 3, 14)).toEqual([0, 200, 0]);
    const flat = await decodeToRgb(png, { size: 16, alpha: 'flatten', background: { r: 255, g: 255, b: 255 } });
    expect(pixel(flat, 3, 2)).toEqual([0, 200, 0]);
    expect(pixel(flat, 3, 14)).toEqual([255, 255, 255]);
  });

  it('resize policies: stretch fills, letterbox pads, center-crop keeps the middle', async () => {
    const png = await halves().png().toBuffer();
    const stretch = await decodeToRgb(png, { size: 20 });
    expect(pixel(stretch, 2, 10)).toEqual([255, 0, 0]);
    expect(pixel(stretch, 17, 10)).toEqual([0, 0, 255]);
    const letter = await decodeToRgb(png, { size: 20, policy: 'letterbox' });
    expect(pixel(letter, 10, 1)).toEqual([0, 0, 0]);
    expect(pixel(letter, 2, 10)).toEqual([255, 0, 0]);
    const crop = await decodeToRgb(png, { size: 20, policy: 'center-crop', kernel: 'nearest' });
    // The middle 20 columns of 40: 10 red then 10 blue.
    expect(pixel(crop, 0, 10)).toEqual([255, 0, 0]);
    expect(pixel(crop, 19, 10)).toEqual([0, 0, 255]);
  });

  it('reads WebP and the first frame of a GIF', async () => {
    const webp = await halves().webp({ lossless: true }).toBuffer();
    expect((await decodeImageInfo(webp)).format).toBe('webp');
    expect(pixel(await decodeToRgb(webp, { size: 20 }), 2, 10)).toEqual([255, 0, 0]);
    const frames = Buffer.concat([Buffer.alloc(8 * 8 * 3, 255), Buffer.alloc(8 * 8 * 3, 0)]);
    const gif = await sharp(frames, { raw: { width: 8, height: 16, channels: 3, pageHeight: 8 } as never, animated: true })
      .gif()
      .toBuffer();
    expect((await decodeImageInfo(gif)).format).toBe('gif');
    const first = await decodeToRgb(gif, { size: 8 });
    expect(pixel(first, 4, 4)).toEqual([255, 255, 255]);
  });

  it('rejects non-images with a typed error', async () => {
    await expect(decodeImageInfo(Buffer.from('definitely not an image'))).rejects.toBeInstanceOf(InvalidImageError);
    await expect(preprocessImage(Buffer.from('%PDF-1.4 nope'), { size: 96 })).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
    await expect(decodeImageInfo(svg)).rejects.toThrow(/unsupported image format "svg"/);
  });

  it('batch helper keeps order', async () => {
    const png = await halves().png().toBuffer();
    const out = await preprocessBatch([sneaker, png, sneaker], { size: 32 });
    expect(out.map((o) => o.width)).toEqual([32, 32, 32]);
    expect(out[0].data).toEqual(out[2].data);
    expect(out[1].data[0]).toBe(1); // red channel of the PNG's red left half
  });
});
