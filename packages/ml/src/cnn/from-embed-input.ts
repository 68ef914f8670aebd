import type { EmbedInput } from '../embeddings/create-embedder';
import { mapLimit } from '../preprocess/preprocess-image';
import { greyPixelsToCnnInput, imageToCnnInput, packCnnBatch } from './input';

/**
 * Any input the transfer pipeline accepts (encoded file or raw grey pixels) as a CNN sees it: 28x28 greyscale in
 * [0, 1]. Training and prediction both go through here, so a CNN member of an ensemble sees identical pixels.
 */
export async function embedInputToCnn(x: EmbedInput): Promise<Float32Array> {
  if (x instanceof Uint8Array) return imageToCnnInput(Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  if ('pixels' in x) return greyPixelsToCnnInput(x.pixels, x.width, x.height);
  throw new Error('a CNN member needs the image file or its grey pixels, not a preprocessed float image');
}

/** Several inputs as one NHWC batch (decoded 4 at a time). */
export async function embedInputsToCnnBatch(inputs: readonly EmbedInput[]): Promise<Float32Array> {
  return packCnnBatch(await mapLimit([...inputs], 4, embedInputToCnn));
}
