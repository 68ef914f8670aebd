import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { EmbedInput } from '../embeddings/create-embedder';
import { mapLimit } from '../preprocess/preprocess-image';

/** What copy detection compares: the decoded pixels' hash, and a small normalised greyscale thumbnail. */
export interface ImageFingerprint {
  /** sha256 of the decoded pixels and their size: equal for the same picture stored in different files. */
  pixels: string;
  /** THUMB x THUMB greyscale, mean removed, unit length (a dot product is a cosine). */
  thumbnail: Float32Array;
}

export const THUMB = 16;

/**
 * Fingerprints of images (encoded files or raw grey pixels). Deep features are poor at spotting copies of tiny images
 * (a JPEG re-encode of a 28x28 garment moves it further than the nearest different garment: bench/dev/
 * duplicate-probe.ts), while a thumbnail compares what the pixels show. EXIF orientation is applied, as everywhere.
 */
export async function imageFingerprints(inputs: readonly EmbedInput[], concurrency = 4): Promise<Array<ImageFingerprint | undefined>> {
  return mapLimit(inputs, concurrency, async (x) => {
    try {
      return await fingerprint(x);
    } catch {
      return undefined; // an image that does not decode here has no copies to find
    }
  });
}

async function fingerprint(x: EmbedInput): Promise<ImageFingerprint | undefined> {
  let img: ReturnType<typeof sharp>;
  if (x instanceof Uint8Array) img = sharp(x).rotate();
  else if ('pixels' in x) img = sharp(Buffer.from(x.pixels), { raw: { width: x.width, height: x.height, channels: 1 } });
  else return undefined;
  const { data, info } = await img.clone().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const pixels = createHash('sha256').update(`${info.width}x${info.height}x${info.channels}:`).update(data).digest('hex');
  const thumb = await img.greyscale().resize(THUMB, THUMB, { fit: 'fill' }).raw().toBuffer();
  const v = Float32Array.from(thumb.subarray(0, THUMB * THUMB));
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += (v[i] -= mean) ** 2;
  const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < v.length; i++) v[i] *= s;
  return { pixels, thumbnail: v };
}
