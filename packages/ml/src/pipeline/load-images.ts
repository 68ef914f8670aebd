import type { EmbedInput } from '../embeddings/create-embedder';
import { DEFAULT_MAX_IMAGE_PIXELS, verifyImage, type PixelLimits } from '../preprocess/check-image';
import { InvalidImageError } from '../preprocess/decode-image';
import { mapLimit } from '../preprocess/preprocess-image';
import type { SkippedImage, TrainingImage } from './types';

/** What loading needs of an image (the CNN classifier's images carry no sha256). */
export type LoadableImage = Pick<TrainingImage, 'id' | 'filename' | 'bytes' | 'load' | 'pixels'>;

export interface LoadedImages<T extends LoadableImage = TrainingImage> {
  /** The images that decode, in input order; `inputs[i]` is `images[i]`'s data. */
  images: T[];
  inputs: EmbedInput[];
  skipped: SkippedImage[];
}

export interface LoadImagesOptions {
  limits?: PixelLimits;
  concurrency?: number;
  /** Called before each image (throws to stop: a canceled run). */
  checkAbort?: () => void;
  onLoaded?: (done: number) => void;
}

/**
 * Reads every image and decodes it once, whole: one that cannot be read (stored before uploads were fully decoded,
 * a damaged blob, or a loader reporting it unreadable with InvalidImageError) is left out and named instead of
 * failing the run later in whichever step decodes it first. Other errors (a store that is down) still fail the run,
 * so it is retried rather than trained on fewer images.
 */
export async function loadTrainingImages<T extends LoadableImage>(images: readonly T[], opts: LoadImagesOptions = {}): Promise<LoadedImages<T>> {
  const limits = opts.limits ?? { maxPixels: DEFAULT_MAX_IMAGE_PIXELS };
  let done = 0;
  const loaded = await mapLimit(images, opts.concurrency ?? 8, async (img): Promise<EmbedInput | SkippedImage> => {
    opts.checkAbort?.();
    try {
      return await toEmbedInput(img, limits);
    } catch (err) {
      if (!(err instanceof InvalidImageError)) throw err;
      return { id: img.id, ...(img.filename ? { filename: img.filename } : {}), reason: err.message };
    } finally {
      opts.onLoaded?.(++done);
    }
  });
  const out: LoadedImages<T> = { images: [], inputs: [], skipped: [] };
  loaded.forEach((x, i) => {
    if (isSkipped(x)) out.skipped.push(x);
    else {
      out.images.push(images[i]!);
      out.inputs.push(x);
    }
  });
  return out;
}

async function toEmbedInput(img: LoadableImage, limits: PixelLimits): Promise<EmbedInput> {
  if (img.pixels) {
    if (img.pixels.channels !== 1) throw new Error(`image ${img.id}: only single-channel raw pixels are supported`);
    return { pixels: img.pixels.pixels, width: img.pixels.width, height: img.pixels.height };
  }
  const bytes = img.bytes ?? (img.load ? await img.load() : undefined);
  if (!bytes) throw new Error(`image ${img.id} has neither bytes, load() nor pixels`);
  await verifyImage(bytes, limits);
  return bytes;
}

const isSkipped = (x: EmbedInput | SkippedImage): x is SkippedImage => !(x instanceof Uint8Array) && 'reason' in x;

/** "a.jpg (why)" or the id when the image has no file name. */
export function describeSkipped(s: SkippedImage): string {
  return `${s.filename ?? `image ${s.id}`} (${s.reason})`;
}

/** The progress line that names what was left out. */
export function skippedMessage(skipped: readonly SkippedImage[]): string {
  const n = skipped.length;
  return `skipped ${n} unreadable image${n === 1 ? '' : 's'}: ${skipped.map(describeSkipped).join('; ')}`;
}

/**
 * Every class needs `min` images to cross-validate. When skipped images are what made a class short, the error names
 * them, so the user knows which files to replace.
 */
export function requireImagesPerClass(classes: readonly string[], labels: Int32Array, min: number, skipped: readonly SkippedImage[] = []) {
  const counts = classes.map((_, k) => labels.filter((l) => l === k).length);
  const thin = classes.map((c, k) => ({ c, n: counts[k]! })).filter((x) => x.n < min);
  if (!thin.length) return;
  const short = thin.map((x) => `${x.c} (${x.n})`).join(', ');
  const because = skipped.length ? `; ${skippedMessage(skipped)}` : '';
  throw new Error(`every class needs at least ${min} images; too few: ${short}${because}`);
}
