import sharp from 'sharp';
import { DECODE_FAIL_ON } from '../preprocess/decode-image';

/**
 * Input policy for service images fed to the tutorial CNNs: decode any format sharp reads, convert to one
 * greyscale channel, resize to exactly 28x28 ignoring aspect ratio ('fill', as the tutorial's 28x28 files already
 * are), and scale pixels to [0,1] (value / 255). No inversion: the models learn Fashion-MNIST's polarity (light
 * garment on black); photos of dark garments on white backgrounds must be inverted by the caller if wanted.
 */
export const CNN_INPUT = { height: 28, width: 28, channels: 1 } as const;

export async function imageToCnnInput(image: Buffer): Promise<Float32Array> {
  // The same strictness as the upload check and the embedder, so an image one path accepts the others decode too.
  const { data } = await sharp(image, { failOn: DECODE_FAIL_ON })
    .greyscale()
    .resize(CNN_INPUT.width, CNN_INPUT.height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  // greyscale() still yields one channel per pixel here; guard in case an alpha channel survives.
  const channels = data.length / (CNN_INPUT.width * CNN_INPUT.height);
  const out = new Float32Array(CNN_INPUT.width * CNN_INPUT.height);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels] / 255;
  return out;
}

/** Several images packed as one NHWC batch. */
export async function imagesToCnnBatch(images: Buffer[]): Promise<Float32Array> {
  return packCnnBatch(await Promise.all(images.map(imageToCnnInput)));
}

/** 28x28x1 inputs, one after another. */
export function packCnnBatch(inputs: Float32Array[]): Float32Array {
  const per = CNN_INPUT.width * CNN_INPUT.height;
  const out = new Float32Array(inputs.length * per);
  inputs.forEach((d, i) => out.set(d, i * per));
  return out;
}

/** 8-bit greyscale pixels of any size through the same policy (exact /255 when already 28x28, as idx records are). */
export async function greyPixelsToCnnInput(pixels: Uint8Array, width: number, height: number): Promise<Float32Array> {
  if (width === CNN_INPUT.width && height === CNN_INPUT.height) return Float32Array.from(pixels, (v) => v / 255);
  const { data } = await sharp(pixels, { raw: { width, height, channels: 1 } })
    .resize(CNN_INPUT.width, CNN_INPUT.height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Float32Array.from(data.subarray(0, CNN_INPUT.width * CNN_INPUT.height), (v) => v / 255);
}
