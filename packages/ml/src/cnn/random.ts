import { mulberry32 } from '../augment/random';

/**
 * Small seeded PRNG (mulberry32) so every random choice in training — initial weights, shuffles, dropout masks,
 * augmentations, sampling — follows from one integer seed.
 */
export type Rng = () => number;

/** The package's one PRNG (mulberry32, ../augment/random), as a plain function. */
export function makeRng(seed: number): Rng {
  return mulberry32(seed);
}

/** A fresh 31-bit seed drawn from `rng`, for seeding a sub-stream (a layer initialiser, a dropout call). */
export function nextSeed(rng: Rng): number {
  return Math.floor(rng() * 0x7fffffff);
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace<T>(items: T[] | Int32Array | Uint32Array, rng: Rng): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
}

/**
 * Runs a synchronous function with Math.random replaced by `rng`. Why: tfjs draws dropout masks from a PRNG seeded
 * by Math.random() when no seed is given, and a fixed `seed` on a Dropout layer repeats the same mask on every
 * batch. Swapping Math.random for the length of one synchronous training step makes the masks reproducible
 * without that defect; no other code can run inside the synchronous call.
 */
export function withSeededMathRandom<T>(rng: Rng, fn: () => T): T {
  const original = Math.random;
  Math.random = rng;
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
