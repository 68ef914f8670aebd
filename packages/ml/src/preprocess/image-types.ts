/** An 8-bit RGB image, row-major HWC (3 channels). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A float image ready for a backbone: row-major HWC (3 channels), already normalised. */
export interface FloatImage {
  width: number;
  height: number;
  data: Float32Array;
}

export type ResizePolicy = 'stretch' | 'letterbox' | 'center-crop';
export type ResizeKernel = 'nearest' | 'linear' | 'cubic' | 'mitchell' | 'lanczos2' | 'lanczos3';

export interface ResizeOptions {
  /** Output is size x size. */
  size: number;
  /** `stretch` (default; right for small, near-square images), `letterbox` (keep aspect, pad), `center-crop`. */
  policy?: ResizePolicy;
  /** Interpolation kernel (default `linear`, as Keras/TF image resizing). */
  kernel?: ResizeKernel;
  /** Padding colour for `letterbox` and background for `alpha: 'flatten'` (default black). */
  background?: { r: number; g: number; b: number };
  /** `drop` (default: keep the colour under transparent pixels, as PIL's convert('RGB')) or `flatten` onto `background`. */
  alpha?: 'drop' | 'flatten';
}

/** Backbone input scaling: value = pixel * scale + offset. */
export interface Normalization {
  scale: number;
  offset: number;
}

/** MobileNet convention: pixel / 127.5 - 1, i.e. [-1, 1]. */
export const UNIT_RANGE: Normalization = { scale: 1 / 127.5, offset: -1 };
