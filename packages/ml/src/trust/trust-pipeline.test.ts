/** @jest-environment ./packages/ml/src/onnx/jest-ort-environment.js */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_HEAD_CONFIG } from '../heads/types';
import { trainClassifier, type TrainClassifierResult, type TrainingImage } from '../pipeline';
import { loadClassifier, type ClassifierArtifact } from '../prediction';
import { applyTemperature } from './calibration';
import { fitCentroids } from '../prediction/ood';
import { putTensor } from '../prediction/artifact';
import { createEmbedder } from '../embeddings';

const SHARED = process.env.TAILOR_SHARED_DIR ?? resolve(__dirname, '../../../../../shared');
const NANONETS = join(SHARED, 'datasets/nanonets-fashion');
const CLASSES = ['Trouser', 'Sandal', 'Bag', 'Dress'];
const SET = { name: 'v2@96:b13', backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 96, layers: ['pool_block_13'] };

function jpegs(split: 'train' | 'test', perClass: number): TrainingImage[] {
  return CLASSES.flatMap((label) =>
    readdirSync(join(NANONETS, split, label)).sort().slice(0, perClass).map((f) => {
      const bytes = readFileSync(join(NANONETS, split, label, f));
      return { id: `${label}/${f}`, sha256: createHash('sha256').update(bytes).digest('hex'), label, bytes };
    }),
  );
}

describe('a version records how far its predictions can be trusted, and prediction applies it', () => {
  const train = jpegs('train', 16);
  const test = jpegs('test', 6);
  let result: TrainClassifierResult;

  beforeAll(async () => {
    const lr = { ...DEFAULT_HEAD_CONFIG, kind: 'logistic' as const, learningRate: 1e-2, batchSize: 512, epochs: 25, patience: 0, validationFraction: 0, labelSmoothing: 0, l2: 1e-2 };
    result = await trainClassifier({
      images: train,
      classes: CLASSES,
      seed: 5,
      settings: { folds: 4, featureSets: [SET], heads: [lr, { ...lr, l2: 1e-1 }], cnnCandidates: [], finetunes: [], targetPrecision: 0.95 },
    });
  }, 300_000);

  it('the report: calibration before/after (cross-fitted), thresholds for the target precision, the OOD detector and its AUROC', () => {
    const t = result.report.trust!;
    expect(['temperature', 'none']).toContain(t.calibration.method);
    expect(t.calibration.temperature).toBeGreaterThan(0);
    expect(t.calibration.before.bins).toHaveLength(10);
    expect(t.calibration.after.bins.reduce((a, b) => a + b.count, 0)).toBe(64);
    // The headline calibration figure describes the probabilities as served: calibrated, measured cross-fitted.
    expect(result.report.calibration.ece).toBeCloseTo(t.calibration.after.ece, 10);
    expect(t.notSure.targetPrecision).toBe(0.95);
    expect(t.notSure.thresholds.map((x) => x.label)).toEqual(CLASSES);
    expect(t.notSure.coverage).toBeGreaterThanOrEqual(0);
    expect(t.notSure.coverage).toBeLessThanOrEqual(1);
    expect(t.ood.featureSet).toBe(SET.name);
    expect(t.ood.candidates.map((c) => c.method)).toEqual(['nearest-centroid', 'knn k=1 standardised', 'knn k=5 standardised', 'knn k=10 standardised']);
    expect(t.ood.perClass.map((p) => p.label)).toEqual(CLASSES);
    // Four very different garments: each held out is easy to tell from the other three.
    expect(t.ood.heldOutClassAuroc).toBeGreaterThan(0.7);
    expect(t.ood.heldOutClassAuroc).toBeLessThanOrEqual(1);
    const m = result.artifact.manifest;
    expect(m.calibration).toEqual({ method: t.calibration.method, temperature: t.calibration.temperature });
    expect(m.thresholds!.perClass).toHaveLength(4);
    expect(m.ood.measured).toEqual({ heldOutClassAuroc: t.ood.heldOutClassAuroc, thresholdFrom: 'out-of-fold' });
  });

  it('predictions are calibrated as recorded, flag "not sure" by the thresholds, and flag photos as unknown', async () => {
    const m = result.artifact.manifest;
    const served = await loadClassifier(result.artifact);
    const raw = await loadClassifier({ ...result.artifact, manifest: { ...m, calibration: undefined } });
    try {
      const bytes = test.map((x) => x.bytes!);
      const [p, q] = [await served.predict(bytes), await raw.predict(bytes)];
      const c = CLASSES.length;
      p.forEach((pred, i) => {
        const row = Float32Array.from(CLASSES, (label) => q[i].prediction.find((x) => x.label === label)!.probability);
        const expected = applyTemperature(row, c, m.calibration!.temperature);
        for (const x of pred.prediction) expect(x.probability).toBeCloseTo(expected[CLASSES.indexOf(x.label)], 5);
        const top = pred.prediction[0];
        expect(pred.uncertain).toBe(pred.outOfDistribution || top.probability < m.thresholds!.perClass[CLASSES.indexOf(top.label)]);
      });
      // Colour photos of animals and food: on 64 training images a 99th-percentile threshold does not catch every one,
      // but they score well above the garments, most are out of distribution and none is served as a sure garment.
      const samples = ['parrot.jpg', 'hot_dog.jpg', 'cat_720p.jpg', 'owl.jpg'].map((f) => readFileSync(join(SHARED, 'backbones/samples', f)));
      const photos = await served.predict(samples);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(photos.map((s) => s.oodScore))).toBeGreaterThan(mean(p.map((s) => s.oodScore)));
      expect(photos.filter((s) => s.outOfDistribution).length).toBeGreaterThanOrEqual(2);
      for (const s of photos) expect(s.uncertain).toBe(true);
    } finally {
      await served.dispose();
      await raw.dispose();
    }
  }, 120_000);

  it('an artifact written before calibration, thresholds and kNN (centroid detector, no sections) loads and predicts as before', async () => {
    const m = result.artifact.manifest;
    const files = { ...result.artifact.files };
    for (const k of Object.keys(files)) if (k.startsWith('ood/')) delete files[k];
    const emb = await createEmbedder({ backbone: SET.backbone, layers: SET.layers, inputSize: SET.inputSize });
    const x = await emb.embed(train.map((t) => t.bytes!));
    await emb.close();
    const feats = { rows: x.length, dim: x[0].length, data: Float32Array.from(x.flatMap((r) => Array.from(r))) };
    const centroids = fitCentroids(feats, train.map((t) => CLASSES.indexOf(t.label)), CLASSES.length);
    const { calibration: _c, thresholds: _t, ...rest } = m;
    const old: ClassifierArtifact = {
      files,
      manifest: {
        ...rest,
        ood: {
          featureSet: SET.name, method: 'nearest-centroid', percentile: 99, threshold: 0.5,
          tensors: {
            mean: putTensor(files, 'ood/mean.f32', centroids.standardizer.mean, [feats.dim]),
            std: putTensor(files, 'ood/std.f32', centroids.standardizer.std, [feats.dim]),
            centroids: putTensor(files, 'ood/centroids.f32', centroids.centroids, [CLASSES.length, feats.dim]),
          },
        },
      },
    };
    // Through JSON, as a stored manifest.json is read.
    const clf = await loadClassifier({ manifest: JSON.parse(JSON.stringify(old.manifest)), files });
    try {
      const preds = await clf.predict(test.map((t) => t.bytes!));
      const acc = preds.filter((p, i) => p.prediction[0].label === test[i].label).length / test.length;
      expect(acc).toBeGreaterThan(0.7);
      for (const p of preds) {
        expect(p.uncertain).toBe(p.outOfDistribution);
        expect(p.prediction.reduce((a, b) => a + b.probability, 0)).toBeCloseTo(1, 5);
      }
    } finally {
      await clf.dispose();
    }
  }, 120_000);
});
