/** @jest-environment ./packages/ml/src/onnx/jest-ort-environment.js */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_BACKBONE } from '../pipeline/settings';
import { trainClassifier, type TrainClassifierInput, type TrainingImage } from '../pipeline';
import { DEFAULT_HEAD_CONFIG } from '../heads/types';

const SHARED = process.env.TAILOR_SHARED_DIR ?? resolve(__dirname, '../../../../../shared');
const NANONETS = join(SHARED, 'datasets/nanonets-fashion/train');
const CLASSES = ['Bag', 'Trouser', 'Sneaker'];

function jpegs(from: number, to: number): TrainingImage[] {
  return CLASSES.flatMap((label) =>
    readdirSync(join(NANONETS, label)).sort().slice(from, to).map((f) => {
      const bytes = readFileSync(join(NANONETS, label, f));
      return { id: `${label}/${f}`, filename: f, sha256: createHash('sha256').update(bytes).digest('hex'), label, bytes };
    }),
  );
}

describe('trainClassifier with unlabelled images: self-trained twins in the search', () => {
  const labeled = jpegs(0, 6);
  // 8 other images per class without their label, and one unlabelled copy of a labelled image (left out).
  const unlabeled = [...jpegs(6, 14), labeled[0]].map(({ label: _l, ...u }, i) => ({ ...u, id: `u${i}` }));
  const input: TrainClassifierInput = {
    images: labeled,
    unlabeled,
    classes: CLASSES,
    seed: 3,
    insights: { enabled: false },
    settings: {
      timeBudgetSeconds: 60,
      folds: 3,
      trainViews: 1,
      flipTta: false,
      cnnCandidates: [],
      featureSets: [{ name: 'v2@96', backbone: DEFAULT_BACKBONE, inputSize: 96, layers: ['pool_block_12'] }],
      heads: [{ ...DEFAULT_HEAD_CONFIG, kind: 'logistic', epochs: 10, patience: 0, validationFraction: 0 }],
    },
  };

  it('cross-validates the twin, reports the counts, and is reproducible for a seed', async () => {
    const a = await trainClassifier(input);
    const names = a.candidates.map((c) => c.name);
    expect(names).toHaveLength(2);
    expect(names[1]).toBe(`${names[0]}|self-trained`);
    const semi = a.semiSupervised!;
    expect(semi).toMatchObject({ given: 25, used: 24, candidates: [names[1]] });
    expect(semi.note).toContain('1 unlabelled copies of labelled images left out');
    expect(a.report.semiSupervised).toEqual(semi);
    if (a.chosen.members.includes(names[1])) {
      expect(semi.chosen).toEqual([names[1]]);
      expect(semi.pseudoLabeled).toBe(12); // half of the 24, per class in proportion to the labels
    } else expect(semi.pseudoLabeled).toBe(0);
    // The served artifact is an ordinary head on the labelled feature set.
    for (const m of a.artifact.manifest.members) expect(m.kind).toBe('head');

    const b = await trainClassifier(input);
    expect(b.candidates.map((c) => [c.name, c.cvAccuracy, c.cvLogLoss])).toEqual(a.candidates.map((c) => [c.name, c.cvAccuracy, c.cvLogLoss]));
    expect(b.semiSupervised).toEqual(semi);
    expect(b.report.accuracy).toBe(a.report.accuracy);
  }, 240_000);
});
