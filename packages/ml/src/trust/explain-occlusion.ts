import sharp from 'sharp';
import { DECODE_FAIL_ON, InvalidImageError } from '../preprocess/decode-image';
import { heatmapOverlayPng } from './heatmap-overlay';

export interface ExplainOptions {
  /** The class to explain (default: the predicted one). */
  label?: string;
  /** Cells per side of the heat map (default 8). */
  grid?: number;
}

export interface Explanation {
  method: 'occlusion';
  /** The class explained and its probability on the whole image. */
  label: string;
  probability: number;
  /**
   * rows x cols cells, row-major from the top left: how much the class's log-odds (log p / (1 - p)) drop when the
   * cell is covered (averaged over the windows covering it). Positive = the region supports the class; negative = it
   * speaks against it.
   */
  grid: { rows: number; cols: number; values: number[] };
  /** The image with the positive part of the map overlaid (red = drove the prediction), as a PNG data URL. */
  overlay: string;
}

/** Decoded images are kept at most this large: the classifier resizes to <= 224 px anyway. */
const MAX_SIDE = 256;

/**
 * Occlusion sensitivity (Zeiler & Fergus, 2014): the image is covered window by window (2 x 2 cells of a grid,
 * stride one cell) with its own mean colour, and each covered copy goes through the classifier exactly as an upload
 * would (encoded losslessly, preprocessed by the same function). A cell's value is the mean drop of the explained
 * class's log-odds over the windows that cover it. It needs forward passes only, so it works for every member
 * kind (frozen-feature heads, fine-tuned tops, CNNs) and for the ensemble as served: (grid - 1)^2 + 1 images.
 */
export async function explainByOcclusion(
  bytes: Buffer,
  classes: string[],
  classify: (images: Buffer[]) => Promise<Float32Array>,
  opts: ExplainOptions = {},
): Promise<Explanation> {
  const g = Math.max(2, Math.min(16, Math.round(opts.grid ?? 8)));
  const img = await decodeForOcclusion(bytes);
  const { width: w, height: h, channels: ch, data } = img;
  const mean = new Array<number>(ch).fill(0);
  for (let p = 0; p < w * h; p++) for (let k = 0; k < ch; k++) mean[k] += data[p * ch + k] / (w * h);
  // Cell edges in pixels (the last cell takes the remainder).
  const xs = Array.from({ length: g + 1 }, (_, i) => Math.round((i * w) / g));
  const ys = Array.from({ length: g + 1 }, (_, i) => Math.round((i * h) / g));
  const windows: Array<{ r: number; c: number }> = [];
  for (let r = 0; r < g - 1; r++) for (let c = 0; c < g - 1; c++) windows.push({ r, c });
  const encode = (pixels: Uint8Array) => sharp(pixels, { raw: { width: w, height: h, channels: ch as 1 | 3 } }).png({ compressionLevel: 1 }).toBuffer();
  const variants = [await encode(data)];
  for (const { r, c } of windows) {
    const copy = Uint8Array.from(data);
    for (let y = ys[r]; y < ys[r + 2]; y++) for (let x = xs[c]; x < xs[c + 2]; x++) for (let k = 0; k < ch; k++) copy[(y * w + x) * ch + k] = Math.round(mean[k]);
    variants.push(await encode(copy));
  }
  const nc = classes.length;
  const probs = await classify(variants);
  let target = opts.label !== undefined ? classes.indexOf(opts.label) : -1;
  if (opts.label !== undefined && target < 0) throw new Error(`unknown class "${opts.label}"`);
  if (target < 0) for (let k = 0; k < nc; k++) if (target < 0 || probs[k] > probs[target]) target = k;
  const base = probs[target];
  // Log-odds, not probability: a confident model's probability barely moves from 0.9999 when its evidence is
  // covered, while its log-odds fall by several units.
  const logOdds = (p: number) => {
    const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
    return Math.log(q / (1 - q));
  };
  const sum = new Float64Array(g * g);
  const count = new Float64Array(g * g);
  windows.forEach(({ r, c }, i) => {
    const drop = logOdds(base) - logOdds(probs[(i + 1) * nc + target]);
    for (const [dr, dc] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      sum[(r + dr) * g + c + dc] += drop;
      count[(r + dr) * g + c + dc]++;
    }
  });
  const values = Array.from(sum, (s, i) => s / count[i]);
  return {
    method: 'occlusion',
    label: classes[target],
    probability: base,
    grid: { rows: g, cols: g, values },
    overlay: `data:image/png;base64,${(await heatmapOverlayPng(img, { rows: g, cols: g, values })).toString('base64')}`,
  };
}

export interface DecodedImage {
  width: number;
  height: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  data: Uint8Array;
}

/** EXIF-oriented, alpha flattened onto black as the classifier's preprocessing does, at most MAX_SIDE per side. */
async function decodeForOcclusion(bytes: Buffer): Promise<DecodedImage> {
  try {
    const meta = await sharp(bytes, { failOn: DECODE_FAIL_ON, pages: 1 }).metadata();
    // Grey (with or without alpha) stays one channel, so the covered copies decode to exactly the grey the original does.
    const grey = (meta.channels ?? 3) <= 2;
    let s = sharp(bytes, { failOn: DECODE_FAIL_ON, pages: 1 }).rotate().resize(MAX_SIDE, MAX_SIDE, { fit: 'inside', withoutEnlargement: true, kernel: 'linear' }).removeAlpha();
    if (grey) s = s.greyscale();
    const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (e) {
    throw new InvalidImageError(`cannot decode image: ${(e as Error).message}`, { cause: e });
  }
}
