import { createRng } from '../random';
import { putTensor } from '../prediction/artifact';
import { auroc } from './auroc';
import { chooseOodDetector } from './choose-ood';
import { fitKnnOod, knnScores } from './knn-ood';
import { crossValidateOod } from './ood-cross-validation';
import { loadOodDetector, oodToArtifact } from './ood-detector';

describe('AUROC', () => {
  it('is the probability a positive outscores a negative, ties counting half', () => {
    expect(auroc([3, 4], [1, 2])).toBe(1);
    expect(auroc([1, 2], [3, 4])).toBe(0);
    expect(auroc([1, 3], [2, 4])).toBe(0.25);
    expect(auroc([2], [2])).toBe(0.5);
    expect(auroc([2, 5], [2, 1])).toBe(0.875);
    expect(() => auroc([], [1])).toThrow();
  });
});

/**
 * Classes as clusters in 8-D, each class made of two sub-clusters (a class with two looks): the centroid of such a
 * class sits between its looks, where no image is, so kNN should tell a held-out class apart better.
 */
function clusters(perLook: number, classes: number, seed: number) {
  const rng = createRng(seed);
  const dim = 8;
  const centres = Array.from({ length: classes * 2 }, () => Array.from({ length: dim }, () => 4 * rng.normal()));
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (const look of [0, 1]) {
      for (let i = 0; i < perLook; i++) {
        rows.push(centres[c * 2 + look].map((v) => v + 0.6 * rng.normal() + 8));
        labels.push(c);
      }
    }
  }
  const data = Float32Array.from(rows.flat());
  return { x: { rows: rows.length, dim, data }, labels: Int32Array.from(labels), folds: Int32Array.from(labels, (_, i) => i % 5) };
}

describe('kNN OOD detector', () => {
  it('scores an image by its k-th nearest training image (cosine, optionally standardised)', () => {
    const x = { rows: 3, dim: 2, data: Float32Array.from([1, 0, 0, 1, 1, 1]) };
    const m = fitKnnOod(x, 1, false);
    const [same, between, opposite] = knnScores(m, { rows: 3, dim: 2, data: Float32Array.from([2, 0, 1, 2, -1, -1]) });
    expect(same).toBeCloseTo(0, 6);
    expect(between).toBeGreaterThan(0);
    expect(between).toBeLessThan(0.1);
    // Nearest of [-1, -1] are [1, 0] and [0, 1], at cosine -0.707.
    expect(opposite).toBeCloseTo(1 + Math.SQRT1_2, 5);
    // k = 2: the second nearest of [2, 0] is [1, 1] (cosine 0.707).
    expect(knnScores(fitKnnOod(x, 2, false), { rows: 1, dim: 2, data: Float32Array.from([2, 0]) })[0]).toBeCloseTo(1 - Math.SQRT1_2, 5);
  });

  it('simulated held-out classes: kNN beats the centroid on two-look classes, and the choice says so', () => {
    const { x, labels, folds } = clusters(40, 5, 7);
    const [centroid, knn] = crossValidateOod(x, labels, 5, folds, 5, [{ method: 'nearest-centroid' }, { method: 'knn', k: 3, standardize: true }]);
    expect(knn.meanAuroc).toBeGreaterThan(0.9);
    expect(knn.meanAuroc).toBeGreaterThan(centroid.meanAuroc);
    expect(knn.heldOutAuroc).toHaveLength(5);
    // Out-of-fold scores of known images are low: each has neighbours of its own look in the other folds.
    expect(Math.max(...knn.oofScores)).toBeLessThan(0.5);

    const choice = chooseOodDetector([{ name: 'set', features: x }], labels, 5, folds, 5, 95);
    expect(choice.spec.method).toBe('knn');
    expect(choice.auroc).toBeGreaterThan(0.9);
    expect(choice.auroc).toBeLessThanOrEqual(Math.max(...choice.candidates.map((c) => c.auroc)) + 1e-9);
    // About 5% of the known images' out-of-fold scores lie above the threshold.
    const [chosen] = crossValidateOod(x, labels, 5, folds, 5, [choice.spec]);
    const above = chosen.oofScores.filter((s) => s > choice.threshold).length;
    expect(above).toBeLessThanOrEqual(Math.ceil(0.05 * labels.length) + 1);
  });

  it('round-trips through the artifact and flags a far point', () => {
    const { x, labels, folds } = clusters(20, 3, 9);
    for (const spec of [{ method: 'nearest-centroid' as const }, { method: 'knn' as const, k: 2, standardize: true }]) {
      const files: Record<string, Buffer> = {};
      const choice = { space: 's', spec, threshold: 1, percentile: 99, auroc: 0.9, perClass: [0.9, 0.9, 0.9], candidates: [] };
      const o = oodToArtifact(choice, x, labels, 3, files);
      expect(o.method).toBe(spec.method);
      const det = loadOodDetector(JSON.parse(JSON.stringify(o)), files, 3);
      const known = det.score({ rows: 1, dim: 8, data: x.data.slice(0, 8) })[0];
      const far = det.score({ rows: 1, dim: 8, data: Float32Array.from({ length: 8 }, (_, j) => (j % 2 ? 40 : -40)) })[0];
      expect(far).toBeGreaterThan(known * 5 + 0.01);
    }
    void folds;
    void putTensor;
  });
});
