import { mulberry32 } from '../random';

/** Any 3-channel HWC image; uint8 (0..255) or float (normalised, see `valueRange`). */
export interface AugmentableImage<T extends Uint8Array | Float32Array = Uint8Array | Float32Array> {
  width: number;
  height: number;
  data: T;
}

export interface AugmentOptions {
  /** Max rotation in degrees, uniform in [-r, r] (Keras tutorial: 10). */
  rotation?: number;
  /** Max shift as a fraction of width/height (0.1). */
  shift?: number;
  /** Zoom range: scale per axis uniform in [1 - z, 1 + z] (0.1). */
  zoom?: number;
  /** Random horizontal flip with probability 0.5 (true). */
  flip?: boolean;
  /** Brightness factor uniform in [1 - b, 1 + b] (0 = off). */
  brightness?: number;
  /** Contrast factor uniform in [1 - c, 1 + c] around the image mean (0 = off). */
  contrast?: number;
  /** Value range of float images, for brightness/contrast and clamping (default [-1, 1]); uint8 uses [0, 255]. */
  valueRange?: [number, number];
}

export const KERAS_AUGMENT_DEFAULTS: Required<Omit<AugmentOptions, 'valueRange'>> = {
  rotation: 10,
  shift: 0.1,
  zoom: 0.1,
  flip: true,
  brightness: 0,
  contrast: 0,
};

/** The random draws of one augmentation, exposed so tests and logs can see what was applied. */
export interface AugmentParams {
  angleDeg: number;
  shiftX: number;
  shiftY: number;
  zoomX: number;
  zoomY: number;
  flip: boolean;
  brightness: number;
  contrast: number;
}

export function drawAugmentParams(seed: number, options: AugmentOptions = {}): AugmentParams {
  const o = { ...KERAS_AUGMENT_DEFAULTS, ...options };
  const rnd = mulberry32(seed);
  const sym = (r: number) => (r > 0 ? (rnd() * 2 - 1) * r : 0);
  // Every draw is taken even when its option is off, so turning one option off leaves the others' draws unchanged.
  const angleDeg = sym(o.rotation);
  const shiftX = sym(o.shift);
  const shiftY = sym(o.shift);
  const zoomX = 1 + sym(o.zoom);
  const zoomY = 1 + sym(o.zoom);
  const flipDraw = rnd() < 0.5;
  const brightness = 1 + sym(o.brightness);
  const contrast = 1 + sym(o.contrast);
  return { angleDeg, shiftX, shiftY, zoomX, zoomY, flip: o.flip && flipDraw, brightness, contrast };
}

/**
 * Seeded random affine augmentation (rotation, shift, zoom, flip) with bilinear sampling and nearest-edge fill
 * (Keras' default fill mode), then optional brightness/contrast. Returns a new image of the same type and size.
 */
export function augmentImage<T extends Uint8Array | Float32Array>(img: AugmentableImage<T>, seed: number, options: AugmentOptions = {}): AugmentableImage<T> {
  return applyAugment(img, drawAugmentParams(seed, options), options.valueRange);
}

export function applyAugment<T extends Uint8Array | Float32Array>(img: AugmentableImage<T>, p: AugmentParams, valueRange?: [number, number]): AugmentableImage<T> {
  const { width: w, height: h, data: src } = img;
  const isByte = src instanceof Uint8Array;
  const [lo, hi] = isByte ? [0, 255] : (valueRange ?? [-1, 1]);
  const out = (isByte ? new Uint8Array(src.length) : new Float32Array(src.length)) as T;
  const a = (p.angleDeg * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  // Inverse map: output pixel -> source position = R * Z * (out - c) + c - shift.
  const m00 = cos * p.zoomX;
  const m01 = -sin * p.zoomY;
  const m10 = sin * p.zoomX;
  const m11 = cos * p.zoomY;
  const tx = p.shiftX * w;
  const ty = p.shiftY * h;
  const tmp = new Float32Array(3);
  for (let y = 0; y < h; y++) {
    const v = y - cy;
    for (let x = 0; x < w; x++) {
      const u = (p.flip ? w - 1 - x : x) - cx;
      let sx = m00 * u + m01 * v + cx - tx;
      let sy = m10 * u + m11 * v + cy - ty;
      sx = sx < 0 ? 0 : sx > w - 1 ? w - 1 : sx;
      sy = sy < 0 ? 0 : sy > h - 1 ? h - 1 : sy;
      // sx, sy >= 0 after clamping, so truncation is floor (and avoids global lookups, slow inside vm contexts).
      const x0 = sx | 0;
      const y0 = sy | 0;
      const x1 = x0 + 1 < w ? x0 + 1 : x0;
      const y1 = y0 + 1 < h ? y0 + 1 : y0;
      const fx = sx - x0;
      const fy = sy - y0;
      const i00 = (y0 * w + x0) * 3;
      const i01 = (y0 * w + x1) * 3;
      const i10 = (y1 * w + x0) * 3;
      const i11 = (y1 * w + x1) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[i00 + c] + (src[i01 + c] - src[i00 + c]) * fx;
        const bot = src[i10 + c] + (src[i11 + c] - src[i10 + c]) * fx;
        tmp[c] = top + (bot - top) * fy;
      }
      const o = (y * w + x) * 3;
      if (isByte) {
        // Uint8Array assignment truncates; round so an identity transform is exact.
        out[o] = (tmp[0] + 0.5) | 0;
        out[o + 1] = (tmp[1] + 0.5) | 0;
        out[o + 2] = (tmp[2] + 0.5) | 0;
      } else {
        out[o] = tmp[0];
        out[o + 1] = tmp[1];
        out[o + 2] = tmp[2];
      }
    }
  }
  if (p.brightness !== 1 || p.contrast !== 1) adjustTone(out, p.brightness, p.contrast, lo, hi);
  return { width: w, height: h, data: out };
}

function adjustTone(data: Uint8Array | Float32Array, brightness: number, contrast: number, lo: number, hi: number): void {
  const isByte = data instanceof Uint8Array;
  let mean = 0;
  for (let i = 0; i < data.length; i++) mean += data[i];
  mean = (mean / data.length - lo) * brightness;
  for (let i = 0; i < data.length; i++) {
    const b = (data[i] - lo) * brightness;
    let v = (b - mean) * contrast + mean + lo;
    v = v < lo ? lo : v > hi ? hi : v;
    data[i] = isByte ? (v + 0.5) | 0 : v;
  }
}

/** Horizontal mirror (the 'flip' view and test-time augmentation). */
export function flipHorizontal<T extends Uint8Array | Float32Array>(img: AugmentableImage<T>): AugmentableImage<T> {
  const { width: w, height: h, data } = img;
  const out = (data instanceof Uint8Array ? new Uint8Array(data.length) : new Float32Array(data.length)) as T;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + (w - 1 - x)) * 3;
      const d = (y * w + x) * 3;
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
    }
  }
  return { width: w, height: h, data: out };
}
