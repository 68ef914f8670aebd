import { UNIT_RANGE, type FloatImage, type Normalization, type RgbImage } from './image-types';

/** RGB bytes -> normalised float HWC. */
export function normalizeRgb(img: RgbImage, norm: Normalization = UNIT_RANGE): FloatImage {
  const out = new Float32Array(img.data.length);
  const { scale, offset } = norm;
  for (let i = 0; i < out.length; i++) out[i] = img.data[i] * scale + offset;
  return { width: img.width, height: img.height, data: out };
}

/** Stacks same-size images into one NHWC batch buffer. */
export function stackBatch(images: FloatImage[]): { data: Float32Array; shape: [number, number, number, number] } {
  if (images.length === 0) throw new Error('empty batch');
  const { width, height } = images[0];
  const per = width * height * 3;
  const data = new Float32Array(per * images.length);
  images.forEach((img, i) => {
    if (img.width !== width || img.height !== height) throw new Error('batch images differ in size');
    data.set(img.data, i * per);
  });
  return { data, shape: [images.length, height, width, 3] };
}
