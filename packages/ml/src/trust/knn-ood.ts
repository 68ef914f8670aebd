import type { FeatureMatrix } from '../heads/matrix';
import { fitStandardizer, type Standardizer } from '../heads/standardizer';

/**
 * Deep nearest-neighbour OOD score (Sun et al., 2022): features L2-normalised (optionally standardised first, so that
 * no block of a concatenated feature set dominates by its scale), and an image's score is one minus its cosine
 * similarity to its k-th nearest training image. Unlike a distance to class centroids it assumes nothing about the
 * shape of a class: a class spread over several looks (sandals, boots seen from the side and from above) still has
 * training images close to each of its looks.
 */
export interface KnnOodModel {
  k: number;
  dim: number;
  /** Training rows, normalised as `normalizeRows` does (rows x dim). */
  bank: Float32Array;
  rows: number;
  standardizer?: Standardizer;
}

/** Rows standardised (when a standardizer is given) and scaled to unit length. */
export function normalizeRows(x: FeatureMatrix, standardizer?: Standardizer): Float32Array {
  const { rows, dim, data } = x;
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const v = standardizer ? (data[r * dim + j] - standardizer.mean[j]) / standardizer.std[j] : data[r * dim + j];
      out[r * dim + j] = v;
      norm += v * v;
    }
    const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < dim; j++) out[r * dim + j] *= s;
  }
  return out;
}

export function fitKnnOod(x: FeatureMatrix, k: number, standardize: boolean): KnnOodModel {
  const standardizer = standardize ? fitStandardizer(x) : undefined;
  return { k: Math.max(1, Math.min(k, x.rows)), dim: x.dim, rows: x.rows, bank: normalizeRows(x, standardizer), ...(standardizer ? { standardizer } : {}) };
}

/** One minus the cosine similarity to the k-th nearest bank row, per row of x (0 = identical, up to 2). */
export function knnScores(model: KnnOodModel, x: FeatureMatrix): Float32Array {
  if (x.dim !== model.dim) throw new Error(`OOD detector expects ${model.dim} features, got ${x.dim}`);
  const q = normalizeRows(x, model.standardizer);
  const out = new Float32Array(x.rows);
  const top = new Float64Array(model.k);
  for (let r = 0; r < x.rows; r++) {
    top.fill(-Infinity);
    const qo = r * model.dim;
    for (let b = 0; b < model.rows; b++) {
      const s = dot(q, qo, model.bank, b * model.dim, model.dim);
      if (s > top[model.k - 1]) insertDescending(top, s);
    }
    out[r] = 1 - top[model.k - 1];
  }
  return out;
}

export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += a[ao + j] * b[bo + j];
    s1 += a[ao + j + 1] * b[bo + j + 1];
    s2 += a[ao + j + 2] * b[bo + j + 2];
    s3 += a[ao + j + 3] * b[bo + j + 3];
  }
  for (; j < n; j++) s0 += a[ao + j] * b[bo + j];
  return s0 + s1 + s2 + s3;
}

/** Inserts v into a descending array of fixed length, dropping the smallest. */
function insertDescending(top: Float64Array, v: number): void {
  let i = top.length - 1;
  while (i > 0 && top[i - 1] < v) {
    top[i] = top[i - 1];
    i--;
  }
  top[i] = v;
}
