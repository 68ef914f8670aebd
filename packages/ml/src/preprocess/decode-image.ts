import sharp from 'sharp';
import type { Metadata, Sharp } from 'sharp';
import type { ResizeOptions, RgbImage } from './image-types';

/** The upload path's error for bytes that are not a supported image. */
export class InvalidImageError extends Error {
  override name = 'InvalidImageError';
  readonly code = 'INVALID_IMAGE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * How every path opens encoded bytes (upload check, embedding, CNN input): fail on decode errors, which is what a
 * truncated or corrupt file raises, but not on libjpeg/libpng warnings (sharp's default), which real cameras and
 * editors produce and which would reject photos whose pixels are intact.
 */
export const DECODE_FAIL_ON = 'error' as const;

export const SUPPORTED_FORMATS = ['jpeg', 'png', 'webp', 'gif'] as const;
export type ImageFormat = (typeof SUPPORTED_FORMATS)[number];

export interface ImageInfo {
  format: ImageFormat;
  /** Displayed size, i.e. after EXIF orientation. */
  width: number;
  height: number;
  channels: number;
  hasAlpha: boolean;
  /** EXIF orientation tag (1 when absent). */
  orientation: number;
}

/** Validates an upload from its header only (no full decode): format, displayed size. */
export async function decodeImageInfo(bytes: Uint8Array): Promise<ImageInfo> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (e) {
    throw new InvalidImageError('not a readable image', { cause: e });
  }
  const format = meta.format as string;
  if (!(SUPPORTED_FORMATS as readonly string[]).includes(format)) {
    throw new InvalidImageError(`unsupported image format "${format}" (supported: ${SUPPORTED_FORMATS.join(', ')})`);
  }
  if (!meta.width || !meta.height) throw new InvalidImageError('image has no size');
  const orientation = meta.orientation ?? 1;
  const swap = orientation >= 5 && orientation <= 8;
  return {
    format: format as ImageFormat,
    width: swap ? meta.height : meta.width,
    height: swap ? meta.width : meta.height,
    channels: meta.channels ?? 3,
    hasAlpha: meta.hasAlpha ?? false,
    orientation,
  };
}

const FIT = { stretch: 'fill', letterbox: 'contain', 'center-crop': 'cover' } as const;

/**
 * Applies the one resize/colour policy to an already-opened sharp pipeline and returns S x S RGB bytes.
 * Shared by the encoded-bytes path and the raw-pixels path so both give identical pixels for identical input.
 */
async function finish(img: Sharp, opts: ResizeOptions): Promise<RgbImage> {
  const bg = { ...(opts.background ?? { r: 0, g: 0, b: 0 }), alpha: 1 };
  img = img.resize(opts.size, opts.size, {
    fit: FIT[opts.policy ?? 'stretch'],
    kernel: opts.kernel ?? 'linear',
    background: bg,
    position: 'centre',
  });
  img = opts.alpha === 'flatten' ? img.flatten({ background: bg }) : img.removeAlpha();
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: toRgb(data, info.channels, info.width * info.height) };
}

/** Expands grey (1 channel) to RGB; drops any remaining extra channel. */
function toRgb(src: Buffer, channels: number, pixels: number): Uint8Array {
  if (channels === 3) return new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const s = p * channels;
    if (channels < 3) {
      out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = src[s];
    } else {
      out[3 * p] = src[s];
      out[3 * p + 1] = src[s + 1];
      out[3 * p + 2] = src[s + 2];
    }
  }
  return out;
}

/** Encoded bytes (JPEG/PNG/WebP/GIF first frame) -> EXIF-oriented, resized RGB. */
export async function decodeToRgb(bytes: Uint8Array, opts: ResizeOptions): Promise<RgbImage> {
  try {
    return await finish(sharp(bytes, { failOn: DECODE_FAIL_ON, pages: 1 }).rotate(), opts);
  } catch (e) {
    if (e instanceof InvalidImageError) throw e;
    throw new InvalidImageError(`cannot decode image: ${(e as Error).message}`, { cause: e });
  }
}

/** Raw 8-bit greyscale pixels (e.g. a 28x28 Fashion-MNIST idx record) -> the same RGB a greyscale JPEG of them gives. */
export async function greyPixelsToRgb(pixels: Uint8Array, width: number, height: number, opts: ResizeOptions): Promise<RgbImage> {
  if (pixels.length !== width * height) throw new Error(`expected ${width * height} grey pixels, got ${pixels.length}`);
  return finish(sharp(pixels, { raw: { width, height, channels: 1 } }), opts);
}

/** Raw 8-bit RGB pixels -> resized RGB through the same policy. */
export async function rgbPixelsToRgb(pixels: Uint8Array, width: number, height: number, opts: ResizeOptions): Promise<RgbImage> {
  if (pixels.length !== width * height * 3) throw new Error(`expected ${width * height * 3} RGB bytes, got ${pixels.length}`);
  return finish(sharp(pixels, { raw: { width, height, channels: 3 } }), opts);
}
