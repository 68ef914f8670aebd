import sharp from 'sharp';
import type { DecodedImage } from './explain-occlusion';

/** The overlay's longest side: small images (28 x 28) are enlarged so their cells can be seen. */
const OUT_SIDE = 224;

/**
 * The image with a heat map over it: the grid's positive values, scaled by the largest, upsampled bilinearly to the
 * image, blended from transparent through yellow to red. Pixels are enlarged by nearest neighbour (a 28 x 28 image
 * stays crisp) and reduced bilinearly.
 */
export async function heatmapOverlayPng(img: DecodedImage, grid: { rows: number; cols: number; values: number[] }): Promise<Buffer> {
  const scale = OUT_SIDE / Math.max(img.width, img.height);
  const w = Math.max(1, Math.round(img.width * scale));
  const h = Math.max(1, Math.round(img.height * scale));
  const { data: base } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels as 1 | 3 } })
    .resize(w, h, { fit: 'fill', kernel: scale >= 1 ? 'nearest' : 'linear' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const rgb = base.length === w * h ? Uint8Array.from({ length: w * h * 3 }, (_, i) => base[Math.floor(i / 3)]) : base;
  const max = Math.max(0, ...grid.values);
  const out = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    // Cell centres sit at (i + 0.5) / n of the image; clamp outside the outermost centres.
    const gy = Math.min(grid.rows - 1, Math.max(0, ((y + 0.5) / h) * grid.rows - 0.5));
    const y0 = Math.floor(gy);
    const y1 = Math.min(grid.rows - 1, y0 + 1);
    const fy = gy - y0;
    for (let x = 0; x < w; x++) {
      const gx = Math.min(grid.cols - 1, Math.max(0, ((x + 0.5) / w) * grid.cols - 0.5));
      const x0 = Math.floor(gx);
      const x1 = Math.min(grid.cols - 1, x0 + 1);
      const fx = gx - x0;
      const v = (i: number, j: number) => Math.max(0, grid.values[i * grid.cols + j]);
      const heat = max > 0 ? ((1 - fy) * ((1 - fx) * v(y0, x0) + fx * v(y0, x1)) + fy * ((1 - fx) * v(y1, x0) + fx * v(y1, x1))) / max : 0;
      const a = 0.7 * heat;
      const colour = [255, Math.round(220 * (1 - heat)), 0];
      const p = (y * w + x) * 3;
      for (let k = 0; k < 3; k++) out[p + k] = Math.round(rgb[p + k] * (1 - a) + colour[k] * a);
    }
  }
  return sharp(out, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}
