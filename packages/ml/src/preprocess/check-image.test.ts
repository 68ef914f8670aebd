import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { liarPng, plainPng, truncated } from '../../../../test/support/broken-images';
import { imageToCnnInput } from '../cnn/input';
import { checkImageSize, DEFAULT_MAX_IMAGE_PIXELS, verifyImage } from './check-image';
import { decodeToRgb, InvalidImageError } from './decode-image';

const SHARED = process.env.TAILOR_SHARED_DIR ?? path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared');
const jpeg = readFileSync(path.join(SHARED, 'datasets', 'nanonets-fashion', 'train', 'Bag', 'train_0009.jpeg'));
const photo = readFileSync(path.join(SHARED, 'backbones', 'samples', 'parrot.jpg'));
const limits = { maxPixels: DEFAULT_MAX_IMAGE_PIXELS, maxDimension: 10000 };

/** Milliseconds `fn` takes. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

describe('verifyImage: the upload check decodes the whole image', () => {
  it('refuses a truncated JPEG that its header alone lets through', async () => {
    const cut = truncated(jpeg);
    expect(await checkImageSize(cut, limits)).toMatchObject({ format: 'jpeg', width: 28, height: 28 });
    await expect(verifyImage(cut, limits)).rejects.toThrow(/^image data is truncated or corrupt \(VipsJpeg: premature end of JPEG image\)$/);
    await expect(verifyImage(cut, limits)).rejects.toBeInstanceOf(InvalidImageError);
    expect(await verifyImage(jpeg, limits)).toMatchObject({ format: 'jpeg', width: 28, height: 28 });
  });

  it('refuses a truncated PNG and a truncated large photo', async () => {
    const png = await sharp(photo).png().toBuffer();
    expect(await verifyImage(png, limits)).toMatchObject({ format: 'png', width: 512, height: 929 });
    const truncatedPng = truncated(png, 0.7);
    expect((await checkImageSize(truncatedPng, limits)).width).toBe(512);
    await expect(verifyImage(truncatedPng, limits)).rejects.toThrow(/truncated or corrupt \(vipspng: libpng read error\)/);
    await expect(verifyImage(truncated(photo, 0.9), limits)).rejects.toThrow(/premature end of JPEG/);
  });

  it('refuses an 88-byte PNG declaring 9000x9000: by the pixel limit, and as corrupt where the limit would allow it', async () => {
    const liar = liarPng();
    expect(liar).toHaveLength(88);
    expect(await checkImageSize(liar, { maxPixels: 100_000_000 })).toMatchObject({ format: 'png', width: 9000, height: 9000 });
    await expect(verifyImage(liar, limits)).rejects.toThrow('image is 9000x9000 (81 megapixels); the limit is 50 megapixels');
    // Fails at the first missing row rather than decoding (or padding) 81 megapixels.
    const ms = await timed(() => expect(verifyImage(liar, { maxPixels: 100_000_000 })).rejects.toThrow(/truncated or corrupt \(vipspng: libpng read error\)/));
    expect(ms).toBeLessThan(1000);
  });

  it('refuses a 16000x16000 PNG from its header, before decoding a pixel', async () => {
    const huge = await plainPng(16000, 16000);
    expect(huge.length).toBeLessThan(5_000_000); // small on the wire; 768 MB as RGB
    const ms = await timed(() => expect(checkImageSize(huge, { maxPixels: DEFAULT_MAX_IMAGE_PIXELS })).rejects.toThrow('image is 16000x16000 (256 megapixels); the limit is 50 megapixels'));
    expect(ms).toBeLessThan(200);
    await expect(verifyImage(huge, limits)).rejects.toThrow('image is 16000x16000; the limit is 10000 pixels per side');
  });

  it('passes a legit 24-megapixel photo quickly (JPEG decodes shrunk on load)', async () => {
    const big = await sharp(photo).resize(6000, 4000, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();
    await verifyImage(big, limits); // warm-up: the first decode loads libvips' JPEG code
    const ms = await timed(() => verifyImage(big, limits));
    expect(ms).toBeLessThan(1500);
    expect(await verifyImage(big, limits)).toMatchObject({ width: 6000, height: 4000 });
  });

  it('accepts a JPEG whose decoder only warns, and every decoding path reads it too (embedder, CNN input)', async () => {
    // Two stray bytes between markers: libjpeg warns "extraneous bytes before marker", the pixels are intact.
    const dqt = 20;
    expect(jpeg.readUInt16BE(dqt)).toBe(0xffdb);
    const warned = Buffer.concat([jpeg.subarray(0, dqt), Buffer.from([0x12, 0x34]), jpeg.subarray(dqt)]);
    await expect(sharp(warned, { failOn: 'warning' }).raw().toBuffer()).rejects.toThrow(/extraneous bytes/);
    expect((await verifyImage(warned, limits)).width).toBe(28);
    expect((await decodeToRgb(warned, { size: 28 })).data).toHaveLength(28 * 28 * 3);
    expect(await imageToCnnInput(warned)).toEqual(await imageToCnnInput(jpeg));
  });

  it('refuses unsupported formats and non-images with the same typed error', async () => {
    await expect(verifyImage(Buffer.from('not an image at all'), limits)).rejects.toThrow('not a readable image');
    const tiff = await sharp(jpeg).tiff().toBuffer();
    await expect(verifyImage(tiff, limits)).rejects.toThrow(/unsupported image format "tiff"/);
  });

  it('is importable without TensorFlow.js (the API and @tailor/core load it)', () => {
    const root = path.resolve(__dirname, '..', '..', '..', '..');
    const probe = `require('@tailor/core'); require(${JSON.stringify(path.join(__dirname, 'check-image.ts'))});
      const loaded = Object.keys(require.cache);
      console.log(JSON.stringify({ tf: loaded.filter((k) => k.includes('@tensorflow')).length, sharp: loaded.some((k) => k.includes('/sharp/')) }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ tf: 0, sharp: true });
  });
});
