import { imageToCnnInput } from '../cnn/input';
import { preprocessImage } from '../preprocess/preprocess-image';
import type { BundleInput } from './bundle-format';

/**
 * One image as a bundle input needs it, through the service's own preprocessing functions (the same calls
 * `loadClassifier` makes), so an offline prediction sees the pixels the hosted one sees. sharp only: no TF.js.
 */
export async function prepareBundleInput(bytes: Uint8Array, input: BundleInput): Promise<Float32Array> {
  if (input.kind === 'rgb') return (await preprocessImage(bytes, { size: input.size, normalization: input.normalization })).data;
  return imageToCnnInput(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** Shape of a batch of `n` images for an input (NHWC). */
export function bundleInputShape(input: BundleInput, n: number): [number, number, number, number] {
  return [n, input.size, input.size, input.kind === 'rgb' ? 3 : 1];
}

/** Every image for every input, as one NHWC batch per input. */
export async function prepareBundleBatch(images: Uint8Array[], inputs: BundleInput[]): Promise<Map<string, { data: Float32Array; shape: [number, number, number, number] }>> {
  const out = new Map<string, { data: Float32Array; shape: [number, number, number, number] }>();
  for (const input of inputs) {
    const shape = bundleInputShape(input, images.length);
    const per = shape[1] * shape[2] * shape[3];
    const data = new Float32Array(per * images.length);
    const each = await Promise.all(images.map((b) => prepareBundleInput(b, input)));
    each.forEach((x, i) => data.set(x, i * per));
    out.set(input.name, { data, shape });
  }
  return out;
}
