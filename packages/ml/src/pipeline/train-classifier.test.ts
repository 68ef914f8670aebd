/** @jest-environment ./packages/ml/src/onnx/jest-ort-environment.js */
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { artifactFromFiles, artifactToFiles, loadClassifier } from '../prediction';
import { memberToCnn, type ArtifactCnnMember } from '../prediction/artifact';
import { imagesToCnnBatch, loadCnn } from '../cnn';
import { createEmbedder } from '../embeddings';
import { tf } from '../tf/backend';
import { trainClassifier, type TrainingImage, type TrainProgress } from './index';

const SHARED = process.env.TAILOR_SHARED_DIR ?? resolve(__dirname, '../../../../../shared');
const NANONETS = join(SHARED, 'datasets/nanonets-fashion');
const CLASSES = ['Tshirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle_Boot'];

function jpegs(split: 'train' | 'test', perClass: number): TrainingImage[] {
  return CLASSES.flatMap((label) =>
    readdirSync(join(NANONETS, split, label)).sort().slice(0, perClass).map((f) => {
      const bytes = readFileSync(join(NANONETS, split, label, f));
      return { id: `${label}/${f}`, sha256: createHash('sha256').update(bytes).digest('hex'), label, bytes };
    }),
  );
}

describe('trainClassifier + loadClassifier on real JPEGs', () => {
  const train = jpegs('train', 12);
  const test = jpegs('test', 100);
  const progress: TrainProgress[] = [];
  let result: Awaited<ReturnType<typeof trainClassifier>>;

  beforeAll(async () => {
    result = await trainClassifier({
      images: train,
      classes: CLASSES,
      seed: 11,
      settings: { searchBudgetSeconds: 20, folds: 3 },
      onProgress: (p) => progress.push(p),
    });
  }, 300_000);

  it('reports out-of-fold metrics, candidates, curves and progress', () => {
    const { report, candidates, chosen } = result;
    expect(report.count).toBe(120);
    expect(report.method).toBe('nested-cross-validation');
    expect(report.accuracy).toBeGreaterThan(0.5);
    // The score the choice maximised is kept apart from the estimate.
    expect(report.selectionScore).toBe(chosen.cvAccuracy);
    // Small greyscale JPEGs: the plan's pool for them, the fine-tuned MobileNetV2 top first.
    expect(result.plan.pool).toBe('small-greyscale');
    expect(candidates[0].name).toMatch(/^finetune:v2@96:block_13\.\.conv_1/);
    for (const f of result.finetuned) expect(f.trainedLayers).toEqual(['block_14', 'block_15', 'block_16', 'conv_1']);
    expect(report.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(120);
    const wrong = report.misclassified.reduce((s, c) => s + c.imageIds.length, 0);
    expect(wrong).toBe(Math.round(120 * (1 - report.accuracy)));
    expect(candidates.length).toBeGreaterThan(0);
    expect(chosen.members.length).toBeGreaterThan(0);
    expect(report.curves[0].epochs.length).toBeGreaterThan(0);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['loading', 'embedding', 'searching', 'training', 'evaluating']));
    const fractions = progress.map((p) => p.fraction);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1] - 1e-9)).toBe(true);
    expect(fractions.at(-1)).toBe(1);
  });

  it('predicts held-out JPEGs, round-trips through files exactly, flags a parrot as out of distribution', async () => {
    const stored = artifactToFiles(result.artifact);
    const again = artifactFromFiles(JSON.parse(JSON.stringify(Object.keys(stored))).reduce((o: Record<string, Buffer>, k: string) => ({ ...o, [k]: Buffer.from(stored[k]) }), {}));
    const a = await loadClassifier(result.artifact);
    const b = await loadClassifier(again);
    try {
      const bytes = test.map((t) => t.bytes!);
      const pa = await a.predict(bytes);
      const pb = await b.predict(bytes);
      expect(pb).toEqual(pa);
      const acc = pa.filter((p, i) => p.prediction[0].label === test[i].label).length / test.length;
      expect(acc).toBeGreaterThan(0.6);
      expect(pa[0].prediction).toHaveLength(10);
      expect(pa[0].prediction[0].probability).toBeGreaterThanOrEqual(pa[0].prediction[1].probability);
      expect((await a.predict(bytes.slice(0, 2), { topK: 3 }))[0].prediction).toHaveLength(3);

      const oodRate = pa.filter((p) => p.outOfDistribution).length / pa.length;
      expect(oodRate).toBeLessThan(0.1);
      const [parrot] = await a.predict([readFileSync(join(SHARED, 'backbones/samples/parrot.jpg'))]);
      expect(parrot.outOfDistribution).toBe(true);
      expect(parrot.oodScore).toBeGreaterThan(1);

      // Latency of one image, in-process (after warm-up), and no tensor growth across predictions.
      await a.predict([bytes[0]]);
      const n0 = tf.memory().numTensors;
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        await a.predict([bytes[i]]);
        times.push(performance.now() - t);
      }
      expect(tf.memory().numTensors).toBe(n0);
      times.sort((x, y) => x - y);
      console.log(`predict one image: median ${times[10].toFixed(1)} ms, p90 ${times[18].toFixed(1)} ms; test accuracy ${(acc * 100).toFixed(1)}%, ood rate on held-out ${(oodRate * 100).toFixed(1)}%, parrot score ${parrot.oodScore.toFixed(2)}`);
      // Prediction preprocesses exactly as training did: its features equal the embedder's on the same files.
      // The OOD detector's space is a head's feature set or a fine-tuned member's pooled cut map (`member:<k>`),
      // whichever measured best; a feature set is compared with the embedder directly.
      const feats = await a.embed(bytes.slice(0, 3));
      const space = result.artifact.manifest.ood.featureSet;
      const fs = result.artifact.manifest.featureSets.find((f) => f.name === space);
      if (fs) {
        const embedder = await createEmbedder({ backbone: fs.backbone, layers: fs.layers, inputSize: fs.inputSize, invert: fs.invert });
        const direct = await embedder.embed(bytes.slice(0, 3));
        await embedder.close();
        expect(feats.map((f) => Array.from(f))).toEqual(direct.map((f) => Array.from(f)));
      } else {
        expect(space).toMatch(/^member:\d+$/);
        expect(result.artifact.manifest.members[Number(space.split(':')[1])].kind).toBe('finetune');
        expect(feats).toHaveLength(3);
        for (const f of feats) expect(f.every(Number.isFinite)).toBe(true);
      }
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });

  it('same data and seed give the same choice and weights (heads and CNNs alike)', async () => {
    const tinyCnn = { arch: 'cnn1' as const, epochs: 1, augEpochs: 1, batchSize: 16 };
    const again = await trainClassifier({ images: train, classes: CLASSES, seed: 11, settings: { searchBudgetSeconds: 1e6, folds: 3, featureSets: [{ name: 'b15', backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 64, layers: ['pool_block_15'] }], cnnCandidates: [tinyCnn], maxEnsemble: 2 } });
    const once = await trainClassifier({ images: train, classes: CLASSES, seed: 11, settings: { searchBudgetSeconds: 1e6, folds: 3, featureSets: [{ name: 'b15', backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 64, layers: ['pool_block_15'] }], cnnCandidates: [tinyCnn], maxEnsemble: 2 } });
    expect(once.chosen.members).toEqual(again.chosen.members);
    expect(artifactToFiles(once.artifact)).toEqual(artifactToFiles(again.artifact));
  }, 300_000);

  it('an inverted-polarity feature set is stored as such and predicted through the same inversion', async () => {
    const inverted = { name: 'neg', backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 64, layers: ['pool_block_15'], invert: true };
    const r = await trainClassifier({ images: train, classes: CLASSES, seed: 5, settings: { searchBudgetSeconds: 1e6, folds: 3, featureSets: [inverted], maxEnsemble: 1 } });
    expect(r.artifact.manifest.featureSets).toEqual([expect.objectContaining({ name: 'neg', invert: true })]);
    const loaded = await loadClassifier(artifactFromFiles(artifactToFiles(r.artifact)));
    const bytes = test.slice(0, 3).map((t) => t.bytes!);
    const negative = await createEmbedder({ layers: inverted.layers, inputSize: 64, invert: true });
    const positive = await createEmbedder({ layers: inverted.layers, inputSize: 64 });
    try {
      const served = await loaded.embed(bytes);
      expect(served.map((f) => Array.from(f))).toEqual((await negative.embed(bytes)).map((f) => Array.from(f)));
      expect(served.map((f) => Array.from(f))).not.toEqual((await positive.embed(bytes)).map((f) => Array.from(f)));
    } finally {
      await Promise.all([loaded.dispose(), negative.close(), positive.close()]);
    }
  }, 120_000);

  it('a CNN trained from scratch is a candidate: chosen, stored in the ensemble artifact and served from the JPEGs', async () => {
    const cnnRecipe = { arch: 'cnn1' as const, epochs: 3, augEpochs: 1, batchSize: 16 };
    const r = await trainClassifier({
      images: train, classes: CLASSES, seed: 3,
      settings: { searchBudgetSeconds: 1e6, folds: 3, heads: [], cnnCandidates: [cnnRecipe], featureSets: [{ name: 'b15', backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 64, layers: ['pool_block_15'] }] },
    });
    expect(r.chosen.members).toEqual(['cnn:cnn1|epochs3+1aug|batch16']);
    const [member] = r.artifact.manifest.members;
    expect(member).toMatchObject({ kind: 'cnn', arch: 'cnn1' });
    expect(r.report.curves[0].epochs).toHaveLength(4);
    expect(r.report.count).toBe(train.length); // out-of-fold over every uploaded image
    const served = await loadClassifier(artifactFromFiles(artifactToFiles(r.artifact)));
    const direct = await loadCnn(memberToCnn(member as ArtifactCnnMember, r.artifact.files));
    try {
      const bytes = test.slice(0, 8).map((t) => t.bytes!);
      const got = await served.predict(bytes);
      const want = direct.predict(await imagesToCnnBatch(bytes), bytes.length);
      got.forEach((p, i) => {
        const byLabel = new Map(p.prediction.map((x) => [x.label, x.probability]));
        CLASSES.forEach((label, k) => expect(byLabel.get(label)).toBeCloseTo(want[i * CLASSES.length + k], 5));
      });
    } finally {
      await served.dispose();
      direct.dispose();
    }
  }, 300_000);

  it('a CNN cross-validated alongside, in a child process, gives the in-process figures and the same final model', async () => {
    const settings = {
      searchBudgetSeconds: 1e6, folds: 3, maxEnsemble: 2,
      cnnCandidates: [{ arch: 'cnn1' as const, epochs: 2, augEpochs: 1, batchSize: 16 }],
      featureSets: [{ name: 'b15', backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 64, layers: ['pool_block_15'] }],
    };
    const child = await trainClassifier({ images: train, classes: CLASSES, seed: 4, settings: { ...settings, cnnAlongside: true } });
    const here = await trainClassifier({ images: train, classes: CLASSES, seed: 4, settings: { ...settings, cnnAlongside: false } });
    const cnnOf = (r: typeof here) => r.candidates.find((c) => c.name.startsWith('cnn:'));
    expect(cnnOf(here)).toBeDefined();
    expect({ ...cnnOf(child), seconds: 0 }).toEqual({ ...cnnOf(here), seconds: 0 });
    expect(child.chosen.members).toEqual(here.chosen.members);
    expect(artifactToFiles(child.artifact)).toEqual(artifactToFiles(here.artifact));
    // Force the CNN into the ensemble: its final model comes from the child and must equal the in-process one.
    const onlyCnn = { ...settings, heads: [] };
    const a = await trainClassifier({ images: train, classes: CLASSES, seed: 4, settings: { ...onlyCnn, cnnAlongside: true } });
    const b = await trainClassifier({ images: train, classes: CLASSES, seed: 4, settings: { ...onlyCnn, cnnAlongside: false } });
    expect(a.artifact.manifest.members[0]).toMatchObject({ kind: 'cnn' });
    expect(artifactToFiles(a.artifact)).toEqual(artifactToFiles(b.artifact));
    expect(a.report.curves).toEqual(b.report.curves.map((c) => ({ ...c, epochs: c.epochs.map((e) => ({ ...e })) })));
  }, 300_000);

  it('rejects labels outside the classes and classes with fewer than two images', async () => {
    await expect(trainClassifier({ images: train.slice(0, 4).map((t) => ({ ...t, label: 'Hat' })), classes: CLASSES, seed: 1 })).rejects.toThrow(/not one of the classes/);
    await expect(trainClassifier({ images: train.slice(0, 13), classes: CLASSES.slice(0, 2), seed: 1 })).rejects.toThrow(/at least 2 images/);
  });
});
