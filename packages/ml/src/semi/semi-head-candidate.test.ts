import { createRng } from '../random';
import { DEFAULT_HEAD_CONFIG } from '../heads/types';
import type { FeatureHeadRecipe, ImageFeatureSet } from '../selection/feature-head-candidate';
import { semiHeadCandidate } from './semi-head-candidate';

/** 3 classes, 8 labelled rows each (then 30 unlabelled rows), 4-d Gaussian blobs: tiny and deterministic. */
function blobs() {
  const rng = createRng(3);
  const nLab = 24;
  const nUnl = 30;
  const dim = 4;
  const data = new Float32Array((nLab + nUnl) * dim);
  const labels = new Int32Array(nLab);
  for (let i = 0; i < nLab + nUnl; i++) {
    const c = i % 3;
    if (i < nLab) labels[i] = c;
    for (let j = 0; j < dim; j++) data[i * dim + j] = (j === c ? 2 : 0) + (rng.next() - 0.5);
  }
  const set: ImageFeatureSet = { name: 'blobs', views: [{ rows: nLab + nUnl, dim, data }] };
  return { set, labels, unlabeled: Array.from({ length: nUnl }, (_, i) => nLab + i) };
}

const recipe: FeatureHeadRecipe = {
  featureSet: 'blobs', trainViews: 1, ttaViews: 1,
  head: { ...DEFAULT_HEAD_CONFIG, kind: 'logistic', epochs: 5, patience: 0, validationFraction: 0, batchSize: 32 },
};

describe('semiHeadCandidate', () => {
  it("makes each fold's pseudo-labels from that fold's training rows only (held-out labels change nothing there)", async () => {
    const { set, labels, unlabeled } = blobs();
    const folds = Int32Array.from(labels, (_, i) => i % 3 === 0 ? 0 : (i % 2) + 1);
    const ctx = { folds, k: 3, seed: 7 };
    const run = (y: Int32Array) => semiHeadCandidate(recipe, set, y, 3, { rows: unlabeled, policy: { fraction: 0.5 } }).crossValidate(ctx);
    const a = await run(labels);
    // Scramble the labels of fold 0's images: fold 0's own predictions (teacher, pseudo-labels, student all trained on
    // folds 1 and 2) must not move; the other folds train on them, so theirs may.
    const poisoned = Int32Array.from(labels, (l, i) => (folds[i] === 0 ? (l + 1) % 3 : l));
    const b = await run(poisoned);
    const held0 = [...folds.keys()].filter((i) => folds[i] === 0);
    for (const i of held0) expect(Array.from(b.subarray(i * 3, i * 3 + 3))).toEqual(Array.from(a.subarray(i * 3, i * 3 + 3)));
    const others = [...folds.keys()].filter((i) => folds[i] !== 0);
    expect(others.some((i) => a[i * 3] !== b[i * 3])).toBe(true);
    // Same seed, same predictions.
    expect(Array.from(await run(labels))).toEqual(Array.from(a));
  });
});
