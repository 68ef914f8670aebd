import { centerRows, gaussian, orthonormalize, rng, symmetricEigen } from './linalg.js';

/**
 * The top `k` principal components of n points in d dimensions, by subspace (block power) iteration on X^T X with a
 * few extra columns and a final Rayleigh–Ritz step. It never forms the d x d covariance, so 1,000 x 1,280 costs about
 * 2·n·d·(k+4) per iteration. Returns the projected coordinates (n x k, row-major) and each component's share of the
 * total variance.
 */
export function pca(data, n, d, k, { iterations = 15, seed = 1 } = {}) {
  const { x } = centerRows(data, n, d);
  const m = Math.min(d, n, k + 4);
  const random = rng(seed);
  let q = Array.from({ length: m }, () => Float64Array.from({ length: d }, () => gaussian(random)));
  orthonormalize(q);
  const y = Array.from({ length: m }, () => new Float64Array(n));
  const multiply = () => {
    // y_j = X q_j, then q_j = X^T y_j
    for (let j = 0; j < m; j++) {
      const qj = q[j];
      const yj = y[j];
      for (let i = 0; i < n; i++) {
        let s = 0;
        const o = i * d;
        for (let t = 0; t < d; t++) s += x[o + t] * qj[t];
        yj[i] = s;
      }
    }
  };
  for (let it = 0; it < iterations; it++) {
    multiply();
    const next = Array.from({ length: m }, () => new Float64Array(d));
    for (let j = 0; j < m; j++) {
      const yj = y[j];
      const nj = next[j];
      for (let i = 0; i < n; i++) {
        const v = yj[i];
        if (v === 0) continue;
        const o = i * d;
        for (let t = 0; t < d; t++) nj[t] += v * x[o + t];
      }
    }
    orthonormalize(next);
    q = next;
  }
  multiply();
  // Rayleigh–Ritz: B = (XQ)^T (XQ) is small; its eigenvectors rotate Q onto the principal directions.
  const b = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => {
    let s = 0;
    for (let r = 0; r < n; r++) s += y[i][r] * y[j][r];
    return s;
  }));
  const { values, vectors } = symmetricEigen(b);
  let total = 0;
  for (let t = 0; t < x.length; t++) total += x[t] * x[t];
  const coords = new Float64Array(n * k);
  for (let c = 0; c < Math.min(k, m); c++) {
    const w = vectors[c];
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += y[j][i] * w[j];
      coords[i * k + c] = s;
    }
  }
  return { coords, explained: Array.from({ length: k }, (_, c) => values[c] ?? 0).map((v) => (total > 0 ? Math.max(0, v) / total : 0)) };
}
