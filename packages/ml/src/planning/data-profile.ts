import sharp from 'sharp';
import type { EmbedInput } from '../embeddings/create-embedder';

/** What the plan looks at in the uploaded images: how many, how large, colour or not. */
export interface DataProfile {
  images: number;
  classes: number;
  /** Median of each image's longer side, in pixels. */
  medianSide: number;
  /** True when a clear share of the images carry colour (greyscale photos stored as RGB count as grey). */
  colour: boolean;
}

const SAMPLE = 48;

/**
 * Profiles a deterministic sample of the images (every n-th): sizes from the headers, colour from a 16x16 thumbnail
 * (mean |R-G| + |G-B| over its pixels), so a grey image saved as RGB JPEG is recognised as grey.
 */
export async function profileImages(inputs: readonly EmbedInput[], classes: number): Promise<DataProfile> {
  const step = Math.max(1, Math.floor(inputs.length / SAMPLE));
  const sample = inputs.filter((_, i) => i % step === 0).slice(0, SAMPLE);
  const sides: number[] = [];
  let coloured = 0;
  for (const x of sample) {
    if (!(x instanceof Uint8Array)) {
      sides.push(Math.max(x.width, x.height));
      if (!('pixels' in x)) coloured++; // pre-normalised RGB: treat as colour
      continue;
    }
    const meta = await sharp(x).metadata();
    sides.push(Math.max(meta.width ?? 0, meta.height ?? 0));
    if ((meta.channels ?? 1) < 3) continue;
    const { data, info } = await sharp(x).removeAlpha().resize(16, 16, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    let chroma = 0;
    for (let p = 0; p < info.width * info.height; p++) {
      const [r, g, b] = [data[p * info.channels], data[p * info.channels + 1], data[p * info.channels + 2]];
      chroma += Math.abs(r - g) + Math.abs(g - b);
    }
    if (chroma / (info.width * info.height) > 6) coloured++;
  }
  sides.sort((a, b) => a - b);
  return { images: inputs.length, classes, medianSide: sides[Math.floor(sides.length / 2)] ?? 0, colour: coloured > sample.length * 0.2 };
}
