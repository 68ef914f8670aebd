import { type Rng, shuffleInPlace } from '../random';

/** Indices of each class, shuffled by `rng`, classes in ascending order (so the result depends only on data + seed). */
function shuffledByClass(labels: ArrayLike<number>, rng: Rng): number[][] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]) ?? [];
    list.push(i);
    byClass.set(labels[i], list);
  }
  return [...byClass.keys()].sort((a, b) => a - b).map((c) => {
    const list = byClass.get(c)!;
    shuffleInPlace(list, rng);
    return list;
  });
}

/**
 * Stratified k-fold: fold index (0..k-1) per item. Each class is dealt round-robin over the folds after a seeded
 * shuffle, continuing where the previous class stopped so that fold sizes stay balanced.
 */
export function stratifiedFolds(labels: ArrayLike<number>, k: number, rng: Rng): Int32Array {
  const fold = new Int32Array(labels.length);
  let next = 0;
  for (const list of shuffledByClass(labels, rng)) {
    for (const i of list) {
      fold[i] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

/**
 * Stratified hold-out: marks round(fraction * count) items of each class (at least one when the class has two or
 * more) as held out. Classes with a single item stay in training: a model must see every class.
 */
export function stratifiedHoldout(labels: ArrayLike<number>, fraction: number, rng: Rng): Uint8Array {
  const held = new Uint8Array(labels.length);
  if (fraction <= 0) return held;
  for (const list of shuffledByClass(labels, rng)) {
    if (list.length < 2) continue;
    const n = Math.min(list.length - 1, Math.max(1, Math.round(fraction * list.length)));
    for (let i = 0; i < n; i++) held[list[i]] = 1;
  }
  return held;
}
