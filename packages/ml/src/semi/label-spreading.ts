import type { Neighbours } from '../neighbours/cosine-neighbours';

export interface SpreadingOptions {
  /** How much of a node's score comes from its neighbours (vs its own label): 0.99 spreads far. */
  alpha?: number;
  iterations?: number;
}

/**
 * Label spreading (Zhou et al., 2004) on the symmetrised k-nearest-neighbour graph of `n` nodes: the known labels are
 * fed in at every step and flow along similar images, so unlabelled images that sit in a labelled cluster take its
 * label even where a linear head's boundary cuts the cluster. Returns row-normalised class scores [n x classes].
 */
export function spreadLabels(graph: Neighbours, n: number, known: ReadonlyArray<{ row: number; label: number }>, classes: number, opts: SpreadingOptions = {}): Float32Array {
  const alpha = opts.alpha ?? 0.99;
  const iterations = opts.iterations ?? 30;
  // Edges both ways (i->j from i's list, and j->i), weighted by the (non-negative) similarity.
  const k = graph.k;
  const from: number[] = [];
  const to: number[] = [];
  const w: number[] = [];
  const degree = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < k; m++) {
      const j = graph.index[i * k + m];
      const s = Math.max(0, graph.similarity[i * k + m]);
      if (j === i || s === 0) continue;
      from.push(i, j);
      to.push(j, i);
      w.push(s, s);
      degree[i] += s;
      degree[j] += s;
    }
  }
  const norm = Float64Array.from(w, (s, e) => s / Math.sqrt(degree[from[e]] * degree[to[e]]));
  const y = new Float32Array(n * classes);
  for (const { row, label } of known) y[row * classes + label] = 1;
  let f = Float32Array.from(y);
  for (let it = 0; it < iterations; it++) {
    const next = new Float32Array(n * classes);
    for (let e = 0; e < norm.length; e++) {
      const a = to[e] * classes;
      const b = from[e] * classes;
      for (let c = 0; c < classes; c++) next[a + c] += alpha * norm[e] * f[b + c];
    }
    for (let i = 0; i < next.length; i++) next[i] += (1 - alpha) * y[i];
    f = next;
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < classes; c++) s += f[i * classes + c];
    for (let c = 0; c < classes; c++) f[i * classes + c] = s > 0 ? f[i * classes + c] / s : 1 / classes;
  }
  return f;
}
