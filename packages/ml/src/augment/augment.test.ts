import { applyAugment, augmentImage, drawAugmentParams, flipHorizontal, KERAS_AUGMENT_DEFAULTS } from './augment-image';

/** 32x32 RGB gradient with a bright square off-centre: asymmetric, so every transform shows. */
function testImage(): { width: number; height: number; data: Uint8Array } {
  const w = 32, h = 32;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      const sq = x >= 4 && x < 12 && y >= 6 && y < 14;
      data[o] = sq ? 255 : x * 4;
      data[o + 1] = sq ? 255 : y * 4;
      data[o + 2] = 40;
    }
  return { width: w, height: h, data };
}

const identity = { angleDeg: 0, shiftX: 0, shiftY: 0, zoomX: 1, zoomY: 1, flip: false, brightness: 1, contrast: 1 };

describe('augmentImage', () => {
  it('defaults follow the Keras tutorial', () => {
    expect(KERAS_AUGMENT_DEFAULTS).toMatchObject({ rotation: 10, shift: 0.1, zoom: 0.1, flip: true });
    for (let s = 0; s < 200; s++) {
      const p = drawAugmentParams(s);
      expect(Math.abs(p.angleDeg)).toBeLessThanOrEqual(10);
      expect(Math.abs(p.shiftX)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(p.zoomY - 1)).toBeLessThanOrEqual(0.1);
      expect(p.brightness).toBe(1);
    }
    const flips = Array.from({ length: 200 }, (_, s) => drawAugmentParams(s).flip).filter(Boolean).length;
    expect(flips).toBeGreaterThan(70);
    expect(flips).toBeLessThan(130);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const img = testImage();
    const a = augmentImage(img, 42);
    const b = augmentImage(img, 42);
    const c = augmentImage(img, 43);
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
    expect(a.data).not.toEqual(img.data);
    expect(img.data).toEqual(testImage().data); // input untouched
  });

  it('identity parameters reproduce the image exactly; flip twice is the identity', () => {
    const img = testImage();
    expect(applyAugment(img, identity).data).toEqual(img.data);
    const f = flipHorizontal(img);
    expect(f.data[0]).toBe(img.data[31 * 3]);
    expect(flipHorizontal(f).data).toEqual(img.data);
    expect(applyAugment(img, { ...identity, flip: true }).data).toEqual(f.data);
  });

  it('shift moves content by the given fraction; rotation by 90 degrees turns it', () => {
    const img = testImage();
    // Shift right by 4 px (0.125 of 32): the square's left edge moves from x=4 to x=8.
    const shifted = applyAugment(img, { ...identity, shiftX: 0.125 });
    const at = (im: { data: Uint8Array }, x: number, y: number) => im.data[(y * 32 + x) * 3 + 1];
    expect(at(shifted, 8, 10)).toBe(255);
    expect(at(shifted, 7, 10)).not.toBe(255);
    // Rotating by 90 degrees then -90 degrees (exact on the pixel grid) gives the image back.
    const r = applyAugment(applyAugment(img, { ...identity, angleDeg: 90 }), { ...identity, angleDeg: -90 });
    expect(r.data).toEqual(img.data);
  });

  it('works on normalised float images, with brightness/contrast clamped to the value range', () => {
    const img = testImage();
    const f = { width: 32, height: 32, data: Float32Array.from(img.data, (v) => v / 127.5 - 1) };
    const out = augmentImage(f, 7, { brightness: 0.5, contrast: 0.5 });
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(Math.max(...out.data)).toBeLessThanOrEqual(1);
    expect(Math.min(...out.data)).toBeGreaterThanOrEqual(-1);
    // Same geometric draw on the uint8 image -> same picture up to rounding.
    const u = augmentImage(img, 7);
    const g = augmentImage(f, 7);
    for (let i = 0; i < u.data.length; i += 97) expect(Math.abs((g.data[i] + 1) * 127.5 - u.data[i])).toBeLessThanOrEqual(0.51);
  });
});
