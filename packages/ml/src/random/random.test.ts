import { createRng, deriveSeed, makeRng, mulberry32, shuffleInPlace, withSeededMathRandom } from '.';

describe('seeded randomness', () => {
  it('gives the same stream for a seed and another for another seed, uniform in [0, 1)', () => {
    const a = Array.from({ length: 1000 }, makeRng(7));
    expect(Array.from({ length: 1000 }, makeRng(7))).toEqual(a);
    expect(Array.from({ length: 1000 }, makeRng(8))).not.toEqual(a);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThan(1);
    // Roughly uniform: the mean of 1000 draws is within 0.05 of 1/2.
    expect(Math.abs(a.reduce((s, x) => s + x, 0) / a.length - 0.5)).toBeLessThan(0.05);
  });

  it('the object shape is mulberry32 from the mixed seed, so both shapes shuffle alike from the same stream', () => {
    const rng = createRng(42);
    const fn = mulberry32((42 >>> 0) ^ 0x9e3779b9);
    for (let i = 0; i < 100; i++) expect(rng.next()).toBe(fn());
    const x = Array.from({ length: 30 }, (_, i) => i);
    const y = [...x];
    shuffleInPlace(x, createRng(3));
    shuffleInPlace(y, mulberry32((3 >>> 0) ^ 0x9e3779b9));
    expect(x).toEqual(y);
    expect([...x].sort((p, q) => p - q)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(x).not.toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('derives distinct seeds per label and restores Math.random after a seeded call', () => {
    expect(deriveSeed(1, 'fold:0')).not.toBe(deriveSeed(1, 'fold:1'));
    expect(deriveSeed(1, 'fold:0')).toBe(deriveSeed(1, 'fold:0'));
    const original = Math.random;
    const inside = withSeededMathRandom(makeRng(5), () => [Math.random(), Math.random()]);
    expect(inside).toEqual(Array.from({ length: 2 }, makeRng(5)));
    expect(Math.random).toBe(original);
  });
});
