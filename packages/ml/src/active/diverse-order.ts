import type { Rng } from '../random';
import { innerWith, squaredNorms, type GradientEmbedding } from './gradient-embedding';

/**
 * The first `n` images of a k-means++ seeding over gradient embeddings (BADGE): the first is the one with the largest
 * gradient (the most to learn), each next one is drawn with probability proportional to its squared distance from
 * the nearest one already picked. Uncertain images have long gradients and so far-away ones; an image just like one
 * already picked is close to it and is rarely drawn, which is what keeps near-duplicates off the list. Seeded.
 */
export function diverseOrder(g: GradientEmbedding, n: number, rng: Rng): number[] {
  const rows = g.h.rows;
  const norms = squaredNorms(g);
  const nearest = Float64Array.from(norms); // distance² to the nearest pick; the origin stands for "nothing picked"
  const picked: number[] = [];
  const taken = new Uint8Array(rows);
  const inner = new Float64Array(rows);
  let next = argMax(norms, taken);
  while (picked.length < Math.min(n, rows) && next >= 0) {
    picked.push(next);
    taken[next] = 1;
    innerWith(g, next, inner);
    for (let i = 0; i < rows; i++) nearest[i] = Math.min(nearest[i], Math.max(0, norms[i] + norms[next] - 2 * inner[i]));
    next = drawProportional(nearest, taken, rng);
  }
  return picked;
}

function argMax(values: Float64Array, taken: Uint8Array): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) if (!taken[i] && (best < 0 || values[i] > values[best])) best = i;
  return best;
}

function drawProportional(weights: Float64Array, taken: Uint8Array, rng: Rng): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) if (!taken[i]) total += weights[i];
  // Every remaining image coincides with a pick (all distances 0): take them in order.
  if (!(total > 0)) return taken.indexOf(0);
  let r = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    if (taken[i]) continue;
    r -= weights[i];
    if (r <= 0) return i;
  }
  return taken.lastIndexOf(0);
}
