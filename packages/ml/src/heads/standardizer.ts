import type { FeatureMatrix } from './matrix';

/** Per-feature mean and standard deviation, computed from training rows only and stored with the head. */
export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
}

export function fitStandardizer(x: FeatureMatrix): Standardizer {
  const { rows, dim, data } = x;
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    for (let j = 0; j < dim; j++) mean[j] += data[o + j];
  }
  for (let j = 0; j < dim; j++) mean[j] /= Math.max(rows, 1);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    for (let j = 0; j < dim; j++) {
      const d = data[o + j] - mean[j];
      sq[j] += d * d;
    }
  }
  const std = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    const s = Math.sqrt(sq[j] / Math.max(rows, 1));
    // A constant feature (e.g. a ReLU channel that never fires on this data) carries no signal; dividing by ~0 would
    // turn float noise at prediction time into huge inputs.
    std[j] = s > 1e-6 ? s : 1;
  }
  return { mean: Float32Array.from(mean), std };
}

export function applyStandardizer(x: FeatureMatrix, s: Standardizer): FeatureMatrix {
  const { rows, dim, data } = x;
  if (dim !== s.mean.length) throw new Error(`standardizer expects ${s.mean.length} features, got ${dim}`);
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    for (let j = 0; j < dim; j++) out[o + j] = (data[o + j] - s.mean[j]) / s.std[j];
  }
  return { rows, dim, data: out };
}
