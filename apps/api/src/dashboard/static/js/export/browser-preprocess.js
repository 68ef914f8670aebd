/**
 * An image file as a bundle input, following its preprocessing.json, with the browser's decoder. The service decodes
 * with libvips; here the browser decodes (applying EXIF orientation, as the service does for RGB inputs) and the
 * resize is computed in JS with the same kernels (linear; lanczos3 for the CNN input) and libvips' pixel alignment,
 * so the pixels come out as the service's or within a unit — not always identical: decoders differ in the last bits,
 * and for large photos libvips first shrinks in the JPEG decoder, which a browser cannot.
 */
async function decode(file, orientation) {
  const bitmap = await createImageBitmap(file, { imageOrientation: orientation ? 'from-image' : 'none' });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const { data, width, height } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  bitmap.close();
  return { data, width, height };
}

const KERNELS = {
  linear: { support: 1, f: (x) => Math.max(0, 1 - Math.abs(x)) },
  lanczos3: { support: 3, f: (x) => (x === 0 ? 1 : Math.abs(x) >= 3 ? 0 : (3 * Math.sin(Math.PI * x) * Math.sin((Math.PI * x) / 3)) / (Math.PI * Math.PI * x * x)) },
};

/**
 * Per output index: the input indices and normalised weights of a separable resample (the kernel widened when
 * shrinking). Where the output pixel's centre falls follows libvips 8.18 as sharp calls it, measured against it: when
 * enlarging, `o * scale - 0.5` (28 -> 64/128/224 px then gives sharp's bytes exactly, 96/160 px within 1 in a few
 * pixels); when shrinking, `(o + 0.5) * scale - 0.5`, with taps past the edges dropped and the rest renormalised.
 */
function weights(inSize, outSize, kernel) {
  const scale = inSize / outSize;
  const stretch = Math.max(1, scale);
  const support = kernel.support * stretch;
  return Array.from({ length: outSize }, (_, o) => {
    const centre = scale < 1 ? o * scale - 0.5 : (o + 0.5) * scale - 0.5;
    const taps = [];
    let sum = 0;
    for (let i = Math.floor(centre - support); i <= Math.ceil(centre + support); i++) {
      const w = kernel.f((i - centre) / stretch);
      if (w === 0) continue;
      if (scale < 1) taps.push([Math.min(inSize - 1, Math.max(0, i)), w]);
      else if (i >= 0 && i < inSize) taps.push([i, w]);
      else continue;
      sum += w;
    }
    return taps.map(([i, w]) => [i, w / sum]);
  });
}

/** `channels` planes of a decoded image resized to size x size (float, 0..255). */
function resize(img, size, channels, kernelName) {
  const kernel = KERNELS[kernelName];
  const wx = weights(img.width, size, kernel);
  const wy = weights(img.height, size, kernel);
  const mid = new Float32Array(img.height * size * channels);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < channels; c++) {
        let v = 0;
        for (const [i, w] of wx[x]) v += w * img.plane(c, y * img.width + i);
        mid[(y * size + x) * channels + c] = v;
      }
  const out = new Float32Array(size * size * channels);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < channels; c++) {
        let v = 0;
        for (const [i, w] of wy[y]) v += w * mid[(i * size + x) * channels + c];
        out[(y * size + x) * channels + c] = Math.min(255, Math.max(0, Math.round(v)));
      }
  return out;
}

/** Float32Array in NHWC order for one input of preprocessing.json. */
export async function prepareInput(file, input) {
  if (input.kind === 'rgb') {
    const img = await decode(file, true);
    const px = resize({ ...img, plane: (c, i) => img.data[i * 4 + c] }, input.size, 3, 'linear');
    const { scale, offset } = input.normalization;
    return px.map((v) => v * scale + offset);
  }
  const img = await decode(file, false);
  const grey = (i) => 0.2126 * img.data[i * 4] + 0.7152 * img.data[i * 4 + 1] + 0.0722 * img.data[i * 4 + 2];
  const px = resize({ ...img, plane: (_c, i) => grey(i) }, input.size, 1, 'lanczos3');
  return px.map((v) => v / 255);
}
