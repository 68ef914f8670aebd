/**
 * The package's one source of seeded randomness. Every random choice in training — initial weights, shuffles, folds,
 * dropout masks, augmentations, sampling — draws from a mulberry32 stream that follows from one integer seed, so the
 * same data and seed give the same model on every platform. Two shapes of the same stream: `Rng` (an object with
 * `int`/`normal`, used by the heads and the engine) and `RandomFn` (a bare `() => number`, used where TF.js-style code
 * wants a function).
 */

/** mulberry32: a small 32-bit PRNG, uniform in [0, 1); the same seed gives the same sequence everywhere. */
export function mulberry32(seed: number): RandomFn {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A bare uniform-[0, 1) stream. */
export type RandomFn = () => number;

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

/** The object-shaped stream for `seed` (mulberry32 from the seed mixed with the golden-ratio constant). */
export function createRng(seed: number): Rng {
  const next = mulberry32((seed >>> 0) ^ 0x9e3779b9);
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      const u = Math.max(next(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
  };
}

/** The function-shaped stream for `seed` (plain mulberry32). */
export function makeRng(seed: number): RandomFn {
  return mulberry32(seed);
}

/** Derives an independent seed for a named sub-task, so adding a candidate does not shift the others' streams. */
export function deriveSeed(seed: number, label: string): number {
  let h = (seed >>> 0) ^ 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** 32-bit FNV-1a of a string: turns composite keys ("seed:i:sha") into PRNG seeds. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A fresh 31-bit seed drawn from `rng`, for seeding a sub-stream (a layer initialiser, a dropout call). */
export function nextSeed(rng: RandomFn): number {
  return Math.floor(rng() * 0x7fffffff);
}

/** Fisher–Yates shuffle in place, from either shape of stream (the same draws: floor(u · (i + 1))). */
export function shuffleInPlace<T>(items: T[] | Int32Array | Uint32Array, rng: Rng | RandomFn): void {
  const next = typeof rng === 'function' ? rng : rng.next;
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
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
export function withSeededMathRandom<T>(rng: RandomFn, fn: () => T): T {
  const original = Math.random;
  Math.random = rng;
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
