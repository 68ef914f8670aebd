import type { FeatureMatrix } from '../heads/matrix';
import { initTf, tf } from '../tf/backend';

/** Each query row's k most similar rows of the base set (cosine), most similar first. */
export interface Neighbours {
  k: number;
  /** [queries x k] row indices into the base set. */
  index: Int32Array;
  /** [queries x k] cosine similarities. */
  similarity: Float32Array;
}

/**
 * Rows centred on `center` (default: their own mean) and scaled to unit length. Pooled CNN activations are all
 * positive, so uncentred cosines crowd near 1; centring on the data's mean spreads them out.
 */
export function unitRows(m: FeatureMatrix, center?: Float32Array): FeatureMatrix {
  const { rows, dim, data } = m;
  const mean = center ?? columnMean(m);
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = data[r * dim + j] - mean[j];
      out[r * dim + j] = v;
      norm += v * v;
    }
    const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < dim; j++) out[r * dim + j] *= s;
  }
  return { rows, dim, data: out };
}

export function columnMean(m: FeatureMatrix): Float32Array {
  const mean = new Float64Array(m.dim);
  for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.dim; j++) mean[j] += m.data[r * m.dim + j];
  return Float32Array.from(mean, (v) => v / Math.max(1, m.rows));
}

/**
 * k nearest neighbours by cosine of unit rows (see unitRows), computed in blocks of query rows on TF.js (one matMul
 * per block: the whole similarity matrix of 10,000 images would be 400 MB). `excludeSelf` drops base row i from
 * query row i's list (queries and base are the same set).
 */
export async function cosineNeighbours(queries: FeatureMatrix, base: FeatureMatrix, k: number, opts: { excludeSelf?: boolean; block?: number } = {}): Promise<Neighbours> {
  await initTf();
  if (queries.dim !== base.dim) throw new Error(`cosineNeighbours: ${queries.dim} vs ${base.dim} features`);
  const kk = Math.min(k, base.rows - (opts.excludeSelf ? 1 : 0));
  const index = new Int32Array(queries.rows * kk);
  const similarity = new Float32Array(queries.rows * kk);
  if (kk <= 0 || queries.rows === 0) return { k: Math.max(0, kk), index, similarity };
  const block = opts.block ?? 512;
  const baseT = tf.tensor2d(base.data, [base.rows, base.dim]).transpose();
  try {
    for (let start = 0; start < queries.rows; start += block) {
      const n = Math.min(block, queries.rows - start);
      const sims = tf.tidy(() => tf.tensor2d(queries.data.subarray(start * queries.dim, (start + n) * queries.dim), [n, queries.dim]).matMul(baseT));
      const s = (await sims.data()) as Float32Array;
      sims.dispose();
      for (let i = 0; i < n; i++) {
        const q = start + i;
        const rowSims = s.subarray(i * base.rows, (i + 1) * base.rows);
        topK(rowSims, kk, opts.excludeSelf ? q : -1, index.subarray(q * kk, (q + 1) * kk), similarity.subarray(q * kk, (q + 1) * kk));
      }
    }
  } finally {
    baseT.dispose();
  }
  return { k: kk, index, similarity };
}

/** The k largest values of `values` (skipping index `skip`), by a small insertion-sorted buffer: O(n k). */
function topK(values: Float32Array, k: number, skip: number, outIndex: Int32Array, outValue: Float32Array) {
  let filled = 0;
  for (let j = 0; j < values.length; j++) {
    if (j === skip) continue;
    const v = values[j];
    if (filled === k && v <= outValue[k - 1]) continue;
    let p = filled < k ? filled++ : k - 1;
    while (p > 0 && outValue[p - 1] < v) {
      outValue[p] = outValue[p - 1];
      outIndex[p] = outIndex[p - 1];
      p--;
    }
    outValue[p] = v;
    outIndex[p] = j;
  }
}
