import type { FeatureMatrix } from '../heads/matrix';
import type { Standardizer } from '../heads/standardizer';
import { fitStandardizer } from '../heads/standardizer';

/**
 * "None of the above" detector: distance from an image's standardised features to the nearest class centroid,
 * divided by the feature count (so scores are comparable across feature sets). Garments of the trained classes sit
 * near their centroid; a photo of something else lies far from every one.
 */
export interface CentroidModel {
  standardizer: Standardizer;
  /** classes x dim, in standardised units. */
  centroids: Float32Array;
  numClasses: number;
}

export function fitCentroids(x: FeatureMatrix, labels: ArrayLike<number>, numClasses: number): CentroidModel {
  const standardizer = fitStandardizer(x);
  const { dim } = x;
  const sums = new Float64Array(numClasses * dim);
  const counts = new Float64Array(numClasses);
  for (let r = 0; r < x.rows; r++) {
    const c = labels[r];
    counts[c]++;
    for (let j = 0; j < dim; j++) sums[c * dim + j] += (x.data[r * dim + j] - standardizer.mean[j]) / standardizer.std[j];
  }
  const centroids = new Float32Array(numClasses * dim);
  for (let c = 0; c < numClasses; c++) {
    // A class without images gets an unreachable centroid rather than one at the origin.
    for (let j = 0; j < dim; j++) centroids[c * dim + j] = counts[c] ? sums[c * dim + j] / counts[c] : 1e6;
  }
  return { standardizer, centroids, numClasses };
}

/** Nearest-centroid squared distance per row, per feature. */
export function centroidScores(model: CentroidModel, x: FeatureMatrix): Float32Array {
  const { dim } = x;
  const { mean, std } = model.standardizer;
  const out = new Float32Array(x.rows);
  const z = new Float32Array(dim);
  for (let r = 0; r < x.rows; r++) {
    for (let j = 0; j < dim; j++) z[j] = (x.data[r * dim + j] - mean[j]) / std[j];
    let best = Infinity;
    for (let c = 0; c < model.numClasses; c++) {
      let d = 0;
      const o = c * dim;
      for (let j = 0; j < dim; j++) {
        const t = z[j] - model.centroids[o + j];
        d += t * t;
      }
      if (d < best) best = d;
    }
    out[r] = best / dim;
  }
  return out;
}

/** The p-th percentile (0..100) by linear interpolation between order statistics. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const s = Float64Array.from(values).sort();
  if (!s.length) throw new Error('percentile of nothing');
  const pos = (p / 100) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
