import { decodeToRgb, greyPixelsToRgb } from './decode-image';
import { UNIT_RANGE, type FloatImage, type Normalization, type ResizeOptions } from './image-types';
import { normalizeRgb } from './normalize';

export interface PreprocessOptions extends ResizeOptions {
  normalization?: Normalization;
}

/**
 * THE preprocessing used by training and prediction alike: decode (EXIF-oriented, first frame), RGB, resize to
 * size x size, normalise (default pixel / 127.5 - 1).
 */
export async function preprocessImage(bytes: Uint8Array, opts: PreprocessOptions): Promise<FloatImage> {
  return normalizeRgb(await decodeToRgb(bytes, opts), opts.normalization ?? UNIT_RANGE);
}

/** Same as preprocessImage for raw greyscale pixels (idx datasets); identical output to a lossless image of them. */
export async function preprocessGreyPixels(pixels: Uint8Array, width: number, height: number, opts: PreprocessOptions): Promise<FloatImage> {
  return normalizeRgb(await greyPixelsToRgb(pixels, width, height, opts), opts.normalization ?? UNIT_RANGE);
}

/** Maps `fn` over items with at most `concurrency` in flight (sharp decodes on its own thread pool). */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

/** Batch helper: preprocesses many encoded images, keeping order. */
export function preprocessBatch(images: readonly Uint8Array[], opts: PreprocessOptions, concurrency = 4): Promise<FloatImage[]> {
  return mapLimit(images, concurrency, (b) => preprocessImage(b, opts));
}
