import type { FeatureMatrix } from '../heads/matrix';
import { fitStandardizer } from '../heads/standardizer';
import { fitCentroids } from '../prediction/ood';
import { auroc } from './auroc';
import { dot, normalizeRows } from './knn-ood';

/** A way of scoring "unlike the training images" on one feature space. */
export type OodMethod = { method: 'nearest-centroid' } | { method: 'knn'; k: number; standardize: boolean };

export interface OodCrossValidation {
  spec: OodMethod;
  /** Each image scored by a detector fitted without its fold: in-distribution scores a new image would get. */
  oofScores: Float32Array;
  /**
   * Per class: AUROC of telling that class's images (scored by a detector fitted on the other folds *and without
   * that class*) from the other classes' images (same detector). NaN for a class with no images.
   */
  heldOutAuroc: number[];
  /** Mean of heldOutAuroc over the classes that have images. */
  meanAuroc: number;
}

export function describeOodMethod(m: OodMethod): string {
  return m.method === 'knn' ? `knn k=${m.k}${m.standardize ? ' standardised' : ''}` : 'nearest-centroid';
}

/**
 * Measures OOD scores on the training images alone. Every image is scored by a detector fitted on the other folds
 * (out-of-fold scores, from which the threshold is taken), and, for each class in turn, by one fitted on the other
 * folds without that class: the held-out class plays the unknown object, the other classes the known ones. A score
 * that separates a held-out garment from the known garments has to notice a *near* stranger; a photo of a street
 * is easier still. Standardisation statistics come from every training image (they hold no labels).
 */
export function crossValidateOod(x: FeatureMatrix, labels: Int32Array, c: number, folds: Int32Array, k: number, specs: OodMethod[]): OodCrossValidation[] {
  const out: OodCrossValidation[] = [];
  const knnSpecs = specs.filter((s): s is Extract<OodMethod, { method: 'knn' }> => s.method === 'knn');
  for (const standardize of [false, true]) {
    const group = knnSpecs.filter((s) => s.standardize === standardize);
    if (group.length) out.push(...knnCrossValidation(x, labels, c, folds, group, standardize));
  }
  if (specs.some((s) => s.method === 'nearest-centroid')) out.push(centroidCrossValidation(x, labels, c, folds, k));
  // In the order asked for.
  return specs.map((s) => out.find((r) => describeOodMethod(r.spec) === describeOodMethod(s))!);
}

function summarise(spec: OodMethod, oofScores: Float32Array, heldOut: Float32Array[], labels: Int32Array, c: number): OodCrossValidation {
  const heldOutAuroc = Array.from({ length: c }, (_, h) => {
    const pos: number[] = [];
    const neg: number[] = [];
    for (let i = 0; i < labels.length; i++) (labels[i] === h ? pos : neg).push(heldOut[h][i]);
    return pos.length && neg.length ? auroc(pos, neg) : NaN;
  });
  const valid = heldOutAuroc.filter((a) => !Number.isNaN(a));
  return { spec, oofScores, heldOutAuroc, meanAuroc: valid.reduce((a, b) => a + b, 0) / Math.max(valid.length, 1) };
}

function knnCrossValidation(x: FeatureMatrix, labels: Int32Array, c: number, folds: Int32Array, specs: Array<Extract<OodMethod, { method: 'knn' }>>, standardize: boolean): OodCrossValidation[] {
  const n = x.rows;
  const d = x.dim;
  const z = normalizeRows(x, standardize ? fitStandardizer(x) : undefined);
  const oof = specs.map(() => new Float32Array(n));
  const held = specs.map(() => Array.from({ length: c }, () => new Float32Array(n)));
  const maxK = Math.max(...specs.map((s) => s.k));
  const sims = new Float64Array(n);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    order.length = 0;
    for (let j = 0; j < n; j++) {
      if (folds[j] === folds[i]) continue;
      sims[j] = dot(z, i * d, z, j * d, d);
      order.push(j);
    }
    order.sort((a, b) => sims[b] - sims[a]);
    specs.forEach((s, m) => {
      const kk = Math.min(s.k, order.length);
      oof[m][i] = 1 - sims[order[kk - 1]];
      // The k-th neighbour once class h is removed from the references.
      for (let h = 0; h < c; h++) {
        let seen = 0;
        let score = 2;
        for (const j of order) {
          if (labels[j] === h) continue;
          if (++seen === kk) {
            score = 1 - sims[j];
            break;
          }
        }
        held[m][h][i] = score;
      }
    });
    void maxK;
  }
  return specs.map((s, m) => summarise(s, oof[m], held[m], labels, c));
}

function centroidCrossValidation(x: FeatureMatrix, labels: Int32Array, c: number, folds: Int32Array, k: number): OodCrossValidation {
  const n = x.rows;
  const d = x.dim;
  const oof = new Float32Array(n);
  const held = Array.from({ length: c }, () => new Float32Array(n));
  const dist = new Float64Array(c);
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    for (let i = 0; i < n; i++) if (folds[i] !== f) train.push(i);
    const sub = { rows: train.length, dim: d, data: new Float32Array(train.length * d) };
    train.forEach((i, r) => sub.data.set(x.data.subarray(i * d, (i + 1) * d), r * d));
    const model = fitCentroids(sub, train.map((i) => labels[i]), c);
    const { mean, std } = model.standardizer;
    for (let i = 0; i < n; i++) {
      if (folds[i] !== f) continue;
      for (let cl = 0; cl < c; cl++) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          const t = (x.data[i * d + j] - mean[j]) / std[j] - model.centroids[cl * d + j];
          s += t * t;
        }
        dist[cl] = s / d;
      }
      oof[i] = Math.min(...dist);
      for (let h = 0; h < c; h++) {
        let best = Infinity;
        for (let cl = 0; cl < c; cl++) if (cl !== h && dist[cl] < best) best = dist[cl];
        held[h][i] = best;
      }
    }
  }
  return summarise({ method: 'nearest-centroid' }, oof, held, labels, c);
}
