import sharp from 'sharp';

/** TensorBoard's projector reads sprites up to 8192 x 8192 pixels. */
const MAX_SPRITE_SIDE = 8192;
/** Thumbnails decoded at once: enough to keep both cores busy, few enough that a large model's originals never pile up. */
const CONCURRENCY = 4;

export interface Sprite {
  png: Buffer;
  /** Side of one (square) thumbnail in pixels. */
  thumb: number;
  columns: number;
}

/**
 * The projector's sprite: thumbnails in a square grid, row-major in point order, as the projector expects
 * (`ceil(sqrt(n))` columns). Each image is letterboxed into its cell so shapes are not distorted.
 *
 * Memory is bounded whatever the count: the originals are loaded one by one (`load(i)`, a few at a time) and dropped
 * once shrunk, each thumbnail is written straight into one raw RGB canvas (at most 8192² × 3 bytes, ~200 MB, and
 * ~60 MB for 5,000 images), and the canvas is encoded once. `signal` stops the work between images.
 */
export async function makeSprite(
  count: number,
  load: (index: number) => Promise<Buffer>,
  opts: { maxThumb?: number; signal?: AbortSignal } = {},
): Promise<Sprite> {
  const n = Math.max(1, count);
  const columns = Math.ceil(Math.sqrt(n));
  const thumb = Math.max(1, Math.min(opts.maxThumb ?? 64, Math.floor(MAX_SPRITE_SIDE / columns)));
  const rows = Math.ceil(n / columns);
  const width = columns * thumb;
  const canvas = Buffer.alloc(width * rows * thumb * 3, 255);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      opts.signal?.throwIfAborted();
      const i = next++;
      const cell = await sharp(await load(i))
        .rotate()
        .resize(thumb, thumb, { fit: 'contain', background: { r: 255, g: 255, b: 255, alpha: 1 } })
        .flatten({ background: '#ffffff' })
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer();
      const left = (i % columns) * thumb;
      const top = Math.floor(i / columns) * thumb;
      for (let y = 0; y < thumb; y++) cell.copy(canvas, ((top + y) * width + left) * 3, y * thumb * 3, (y + 1) * thumb * 3);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  const png = await sharp(canvas, { raw: { width, height: rows * thumb, channels: 3 } }).png().toBuffer();
  return { png, thumb, columns };
}
