import sharp from 'sharp';
import { decodeImageInfo, DECODE_FAIL_ON, InvalidImageError, type ImageInfo } from './decode-image';

// Only sharp here (no TensorFlow.js): the API's upload and predict paths import this module.

/** The pixel limits every path applies to an image (uploads, training, predictions). */
export interface PixelLimits {
  /** Width x height, after which an image is refused before any pixel is decoded. */
  maxPixels: number;
  /** Pixels per side (optional: a very long, thin image fits the area limit but not a sane aspect). */
  maxDimension?: number;
}

/** 50 megapixels: an 8K photo (33 MP) passes; decoding one at most costs ~150 MB of RGB. */
export const DEFAULT_MAX_IMAGE_PIXELS = 50_000_000;

/**
 * The full-decode check renders at most this many pixels per side: JPEG decodes at 1/8 scale from the same
 * entropy-coded data, so every byte is still read (a cut-off file still fails), and memory stays small.
 */
const CHECK_SIZE = 64;

const megapixels = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} megapixels`;

/** Header only: a supported format whose declared size is within the limits. Cheap; reads no pixel data. */
export async function checkImageSize(bytes: Uint8Array, limits: PixelLimits): Promise<ImageInfo> {
  const info = await decodeImageInfo(bytes);
  const { width, height } = info;
  if (limits.maxDimension !== undefined && (width > limits.maxDimension || height > limits.maxDimension)) {
    throw new InvalidImageError(`image is ${width}x${height}; the limit is ${limits.maxDimension} pixels per side`);
  }
  if (width * height > limits.maxPixels) {
    throw new InvalidImageError(`image is ${width}x${height} (${megapixels(width * height)}); the limit is ${megapixels(limits.maxPixels)}`);
  }
  return info;
}

/**
 * Header check, then the whole image decoded in bounded memory (streamed, shrunk on load), so a truncated or corrupt
 * file is refused here rather than failing a training run later. The header alone says nothing about the pixel data:
 * an 88-byte PNG can declare 9000x9000.
 */
export async function verifyImage(bytes: Uint8Array, limits: PixelLimits): Promise<ImageInfo> {
  const info = await checkImageSize(bytes, limits);
  try {
    await sharp(bytes, { failOn: DECODE_FAIL_ON, sequentialRead: true, limitInputPixels: limits.maxPixels, pages: 1 })
      .resize(CHECK_SIZE, CHECK_SIZE, { fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer();
  } catch (e) {
    const detail = decoderMessage(e);
    throw new InvalidImageError(`image data is truncated or corrupt${detail ? ` (${detail})` : ''}`, { cause: e });
  }
  return info;
}

/**
 * libvips' first line, without sharp's generic prefix: e.g. "VipsJpeg: premature end of JPEG image". libvips keeps one
 * error buffer per process, so under concurrent decodes the text can be lost ("Unknown error"): then there is none.
 */
function decoderMessage(e: unknown): string | undefined {
  const line = String((e as Error)?.message ?? e).split('\n')[0]!;
  const text = line.replace(/^Input (buffer|file) has corrupt header: /, '').trim();
  return text && text !== 'Unknown error' ? text : undefined;
}
