import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { trainCnnClassifier, loadCnnClassifier } from '../cnn-classifier';
import type { FinetuneRecipe } from '../finetune/finetune-recipe';
import { DEFAULT_TOP_TRAIN } from '../finetune/train-top';
import { DEFAULT_HEAD_CONFIG } from '../heads/types';
import { trainClassifier, type TrainingImage } from '../pipeline';
import { artifactToFiles, loadClassifier, type ClassifierArtifact } from '../prediction';
import type { ArtifactMember, ArtifactOod, ArtifactTensorRef } from '../prediction/artifact';
import { tf } from '../tf/backend';
import { buildExportBundle, type BundleFile, type VersionFacts } from '.';
import { openOnnxBundle, type BundlePrediction } from './run-bundle';
import { openTfjsBundle } from './run-tfjs-bundle';

const SHARED = process.env.TAILOR_SHARED_DIR ?? resolve(__dirname, '../../../../../shared');
const NANONETS = join(SHARED, 'datasets/nanonets-fashion');
const CLASSES = ['Tshirt', 'Trouser', 'Bag', 'Sandal', 'Sneaker'];
const V2 = 'mobilenet_v2_1.0_224_quant';

function jpegs(split: 'train' | 'test', perClass: number): TrainingImage[] {
  return CLASSES.flatMap((label) =>
    readdirSync(join(NANONETS, split, label)).sort().slice(0, perClass).map((f) => {
      const bytes = readFileSync(join(NANONETS, split, label, f));
      return { id: `${label}/${f}`, sha256: createHash('sha256').update(bytes).digest('hex'), label, bytes };
    }),
  );
}

/** Renames an artifact's files under `tag/` and returns its members and OOD pointing at them. */
function retag(a: ClassifierArtifact, tag: string) {
  const files = Object.fromEntries(Object.entries(a.files).map(([k, v]) => [`${tag}/${k}`, v]));
  const ref = (r: ArtifactTensorRef) => ({ ...r, file: `${tag}/${r.file}` });
  const refs = (t: Record<string, ArtifactTensorRef>) => Object.fromEntries(Object.entries(t).map(([k, r]) => [k, ref(r)]));
  const members = a.manifest.members.map((m): ArtifactMember => {
    if (m.kind === 'head') return { ...m, featureSet: `${tag}:${m.featureSet}`, tensors: refs(m.tensors) };
    if (m.kind === 'cnn') return { ...m, files: { modelJson: `${tag}/${m.files.modelJson}`, weights: `${tag}/${m.files.weights}` } };
    return { ...m, models: m.models.map(refs) };
  });
  const featureSets = a.manifest.featureSets.map((f) => ({ ...f, name: `${tag}:${f.name}` }));
  const o = a.manifest.ood;
  // Whichever detector it is, its tensors move with the files.
  const ood = { ...o, tensors: refs(o.tensors as Record<string, ArtifactTensorRef>) } as ArtifactOod;
  return { files, members, featureSets, ood };
}

const facts = (architecture: string): VersionFacts => ({
  modelId: '00000000-0000-4000-8000-000000000001',
  modelName: 'parity',
  version: 1,
  createdAt: '2026-11-30T00:00:00.000Z',
  architecture,
  seed: 3,
  settings: {},
  metrics: {},
  datasetSha256: null,
  imagesPerClass: CLASSES.map((label) => ({ label, count: 8 })),
});

const asMap = (files: BundleFile[]) => new Map(files.map((f) => [f.name, f.data]));

/** Largest probability difference per class label, and how many top-1 labels agree. */
function compare(hosted: Array<{ prediction: Array<{ label: string; probability: number }>; oodScore: number; outOfDistribution: boolean; uncertain?: boolean }>, exported: BundlePrediction[]) {
  let maxDp = 0;
  let maxDood = 0;
  let agree = 0;
  hosted.forEach((h, i) => {
    const e = exported[i]!;
    if (!e.ok) throw new Error(`exported prediction ${i} failed: ${e.error}`);
    const byLabel = new Map(e.prediction.map((p) => [p.label, p.probability]));
    for (const p of h.prediction) maxDp = Math.max(maxDp, Math.abs(p.probability - byLabel.get(p.label)!));
    maxDood = Math.max(maxDood, Math.abs(h.oodScore - e.oodScore) / Math.max(1, h.oodScore));
    if (h.prediction[0]!.label === e.label) agree++;
    // The service's flags, from the same rule (an image at a threshold's very edge would show up here).
    expect({ i, ood: e.outOfDistribution }).toEqual({ i, ood: h.outOfDistribution });
    if (h.uncertain !== undefined) expect({ i, uncertain: e.uncertain }).toEqual({ i, uncertain: h.uncertain });
  });
  return { maxDp, maxDood, agree, n: hosted.length };
}

describe('export bundles reproduce the hosted classifier', () => {
  const train = jpegs('train', 8);
  // Test images: garments, a colour photo with EXIF-free RGB and an alpha PNG (decoding paths), all real files.
  let test: Array<{ name: string; bytes: Buffer }>;
  let merged: ClassifierArtifact;
  let mergedHeadsOod: ClassifierArtifact;

  beforeAll(async () => {
    const parrot = readFileSync(join(SHARED, 'backbones/samples/parrot.jpg'));
    test = [
      ...jpegs('test', 4).map((t) => ({ name: t.id, bytes: t.bytes! })),
      { name: 'parrot.jpg', bytes: parrot },
      { name: 'parrot-alpha.png', bytes: await sharp(parrot).resize(80, 60).ensureAlpha(0.5).png().toBuffer() },
    ];
    const common = { searchBudgetSeconds: 1e6, folds: 3, cnnCandidates: [], finetunes: [] };
    // Heads on two passes of one backbone (positive and negative polarity), one feature set of two layers.
    const heads = await trainClassifier({
      images: train, classes: CLASSES, seed: 3,
      settings: {
        ...common,
        featureSets: [
          { name: 'b15', backbone: V2, inputSize: 64, layers: ['pool_block_15'] },
          { name: 'neg', backbone: V2, inputSize: 64, layers: ['pool_block_12', 'pool_block_15'], invert: true },
        ],
        heads: [{ ...DEFAULT_HEAD_CONFIG, kind: 'logistic', l2: 1e-2, epochs: 15 }, { ...DEFAULT_HEAD_CONFIG, epochs: 8 }],
        ensemble: 'near-best', maxEnsemble: 4,
      },
    });
    const { trainViews: _views, ...topTrain } = DEFAULT_TOP_TRAIN;
    // Bagged: the fold models are served averaged, so the member carries several tops.
    const recipe = { backbone: V2, inputSize: 64, invert: true, cut: 'block_13', top: 'conv_1', views: 2, ttaViews: 2, serve: 'bagged', train: { ...topTrain, epochs: 2 } };
    const finetune = await trainClassifier({
      images: train, classes: CLASSES, seed: 3,
      settings: { ...common, featureSets: [], heads: [], finetuneFolds: 2, finetunes: [recipe as FinetuneRecipe] },
    });
    const cnn = await trainClassifier({
      images: train, classes: CLASSES, seed: 3,
      settings: { ...common, heads: [], featureSets: [{ name: 'b15', backbone: V2, inputSize: 64, layers: ['pool_block_15'] }], cnnCandidates: [{ arch: 'cnn1', epochs: 2, augEpochs: 1, batchSize: 16 }] },
    });
    expect(finetune.artifact.manifest.members.map((m) => m.kind)).toEqual(['finetune']);
    expect((finetune.artifact.manifest.members[0] as { models: unknown[] }).models).toHaveLength(2);
    expect(cnn.artifact.manifest.members.map((m) => m.kind)).toEqual(['cnn']);
    // One artifact holding every member kind the engine makes, so one export covers them all.
    const parts = [retag(heads.artifact, 'h'), retag(finetune.artifact, 'f'), retag(cnn.artifact, 'c')];
    const members = parts.flatMap((p) => p.members);
    const k = members.findIndex((m) => m.kind === 'finetune');
    merged = {
      manifest: { ...heads.artifact.manifest, featureSets: parts[0]!.featureSets, members, ood: { ...parts[1]!.ood, featureSet: `member:${k}` } },
      files: Object.assign({}, ...parts.map((p) => p.files)),
    };
    const headsOod = parts[0]!.ood;
    mergedHeadsOod = { ...merged, manifest: { ...merged.manifest, ood: { ...headsOod, featureSet: `h:${headsOod.featureSet}` } } };
    expect(new Set(members.map((m) => m.kind))).toEqual(new Set(['head', 'finetune', 'cnn']));
    expect(members.some((m) => m.kind === 'head' && m.featureSet === 'h:neg')).toBe(true);
  }, 600_000);

  it.each([
    ['the fine-tuned member\'s cut map', () => merged],
    ['a feature set of the heads', () => mergedHeadsOod],
  ])('ONNX (1e-4) and TF.js (1e-3) match loadClassifier on an ensemble of heads, a fine-tuned top and a CNN; OOD on %s', async (what, pick) => {
    const artifact = pick();
    const hosted = await loadClassifier(artifact);
    const want = await hosted.predict(test.map((t) => t.bytes));
    await hosted.dispose();

    const onnx = await buildExportBundle(artifactToFiles(artifact), facts('auto'), 'onnx');
    const offline = await openOnnxBundle(asMap(onnx));
    const gotOnnx = await offline.predict(test);
    await offline.release();
    const o = compare(want, gotOnnx);
    expect(o).toMatchObject({ agree: test.length });
    expect(o.maxDp).toBeLessThan(1e-4);
    expect(o.maxDood).toBeLessThan(1e-4);

    const before = tf.memory().numTensors;
    const tfjs = await openTfjsBundle(asMap(await buildExportBundle(artifactToFiles(artifact), facts('auto'), 'tfjs')));
    const gotTfjs = await tfjs.predict(test);
    const again = await tfjs.predict(test);
    tfjs.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const t = compare(want, gotTfjs);
    expect(t).toMatchObject({ agree: test.length });
    expect(t.maxDp).toBeLessThan(1e-3);
    expect(t.maxDood).toBeLessThan(1e-3);
    expect(again.map((p) => p.ok && p.probability)).toEqual(gotTfjs.map((p) => p.ok && p.probability));
    console.log(`export parity (${what}): ONNX max|dp| ${o.maxDp.toExponential(2)}, TF.js max|dp| ${t.maxDp.toExponential(2)}, top-1 ${o.agree}/${o.n} and ${t.agree}/${t.n}`);
  }, 300_000);

  it('a calibrated version with "not sure" thresholds and a k-NN OOD detector exports as served', async () => {
    const temperature = 1.7;
    const k = 3;
    // The detector's own features (the fine-tuned member's pooled cut map), for the bank and for the test images.
    const plainArtifact = { ...merged, manifest: { ...merged.manifest, calibration: undefined, thresholds: undefined } };
    const plain = await loadClassifier(plainArtifact);
    const uncalibrated = await plain.predict(test.map((t) => t.bytes));
    const bankRows = await plain.embed(train.map((t) => t.bytes!));
    const queries = await plain.embed(test.map((t) => t.bytes));
    await plain.dispose();
    const dim = bankRows[0]!.length;
    const mean = new Float32Array(dim);
    const std = new Float32Array(dim);
    for (let j = 0; j < dim; j++) {
      const col = bankRows.map((r) => r[j]!);
      mean[j] = col.reduce((a, b) => a + b, 0) / col.length;
      std[j] = Math.sqrt(col.reduce((a, b) => a + (b - mean[j]!) ** 2, 0) / col.length) || 1;
    }
    const unit = (r: Float32Array) => {
      const z = Array.from(r, (v, j) => (v - mean[j]!) / std[j]!);
      const n = Math.hypot(...z);
      return z.map((v) => v / n);
    };
    const bank = bankRows.map(unit);
    const kth = (q: Float32Array) => {
      const u = unit(q);
      return 1 - bank.map((b) => b.reduce((acc, v, j) => acc + v * u[j]!, 0)).sort((a, b) => b - a)[k - 1]!;
    };
    // Above every test image's score except the two photos (which are out of distribution).
    const threshold = [...test.keys()].filter((i) => !test[i]!.name.startsWith('parrot')).reduce((m, i) => Math.max(m, kth(queries[i]!)), 0) * 1.01;
    const files = { ...merged.files, 'knn/bank.f32': Buffer.from(Float32Array.from(bank.flat()).buffer), 'knn/mean.f32': Buffer.from(mean.buffer), 'knn/std.f32': Buffer.from(std.buffer) };
    const ood = {
      featureSet: merged.manifest.ood.featureSet, method: 'knn', k, percentile: 95, threshold,
      tensors: { bank: { file: 'knn/bank.f32', shape: [bank.length, dim] }, mean: { file: 'knn/mean.f32', shape: [dim] }, std: { file: 'knn/std.f32', shape: [dim] } },
    } as unknown as ArtifactOod;
    // Thresholds that make some predictions "not sure" and leave others sure: about the median calibrated top probability.
    const calibrate = (p: Array<{ probability: number }>) => {
      const logits = p.map((x) => Math.log(Math.max(x.probability, 1e-7)) / temperature);
      const max = Math.max(...logits);
      const sum = logits.reduce((a, l) => a + Math.exp(l - max), 0);
      return logits.map((l) => Math.exp(l - max) / sum);
    };
    const tops = uncalibrated.map((p) => Math.max(...calibrate(p.prediction))).sort((a, b) => a - b);
    // Halfway between two neighbours, so no image sits on the threshold (where a 1e-7 difference could flip its flag).
    const mid = Math.floor(tops.length / 2);
    const thresholds = { targetPrecision: 0.9, perClass: CLASSES.map(() => (tops[mid - 1]! + tops[mid]!) / 2) };
    const manifest = { ...merged.manifest, ood, calibration: { method: 'temperature', temperature }, thresholds } as ClassifierArtifact['manifest'];
    const artifact = { files, manifest };
    const served = await loadClassifier(artifact);
    const want = await served.predict(test.map((t) => t.bytes));
    await served.dispose();
    // The served numbers are what the definitions say (checked here from the uncalibrated ones), so the comparison
    // below is against the right thing.
    want.forEach((w, i) => {
      const calibrated = calibrate(uncalibrated[i]!.prediction);
      uncalibrated[i]!.prediction.forEach((x, c) => expect(w.prediction.find((y) => y.label === x.label)!.probability).toBeCloseTo(calibrated[c]!, 5));
      expect(w.oodScore).toBeCloseTo(kth(queries[i]!) / threshold, 4);
    });
    expect(new Set(want.map((w) => w.uncertain))).toEqual(new Set([true, false]));
    expect(want.filter((w) => w.outOfDistribution)).toHaveLength(2);
    const onnx = await openOnnxBundle(asMap(await buildExportBundle(artifactToFiles(artifact), facts('auto'), 'onnx')));
    const o = compare(want, await onnx.predict(test));
    await onnx.release();
    const tfjs = await openTfjsBundle(asMap(await buildExportBundle(artifactToFiles(artifact), facts('auto'), 'tfjs')));
    const t = compare(want, await tfjs.predict(test));
    tfjs.dispose();
    expect([o.agree, t.agree]).toEqual([test.length, test.length]);
    expect(o.maxDp).toBeLessThan(1e-4);
    expect(o.maxDood).toBeLessThan(1e-4);
    expect(t.maxDp).toBeLessThan(1e-3);
    expect(t.maxDood).toBeLessThan(1e-3);
  }, 300_000);

  it('the bundle says what it holds: labels, preprocessing per input, a model card with the weights\' licence', async () => {
    const files = asMap(await buildExportBundle(artifactToFiles(merged), { ...facts('auto'), datasetSha256: 'ab'.repeat(32) }, 'onnx'));
    expect([...files.keys()].sort()).toEqual(['LICENSE-backbone-weights.txt', 'README.md', 'labels.json', 'model.onnx', 'preprocessing.json']);
    expect(JSON.parse(files.get('labels.json')!.toString())).toEqual(CLASSES);
    const pre = JSON.parse(files.get('preprocessing.json')!.toString());
    expect(pre.inputs.map((i: { name: string; shape: unknown }) => [i.name, i.shape])).toEqual([
      ['image_64', [null, 64, 64, 3]],
      ['image_cnn_28', [null, 28, 28, 1]],
    ]);
    expect(pre.inputs[0].steps.resize).toMatch(/fill.*linear/);
    expect(pre.inGraph.join('\n')).toMatch(/flipped/);
    expect(pre.inGraph.join('\n')).toMatch(/inverted/);
    const card = files.get('README.md')!.toString();
    for (const text of ['## Training data', '## Evaluation', '## Intended use and limits', 'Top confusions', 'Apache-2.0', 'google-coral/test_data', 'ab'.repeat(32), 'tailor run bundle.zip']) expect(card).toContain(text);
    expect(files.get('LICENSE-backbone-weights.txt')!.toString()).toContain('Apache License');
  }, 120_000);

  it('a CNN-architecture version exports too, ONNX and TF.js matching its hosted predictions', async () => {
    const r = await trainCnnClassifier({ images: train, classes: CLASSES, arch: 'cnn4', seed: 2, epochs: 2 });
    const hosted = await loadCnnClassifier(r.files);
    const want = await hosted.predict(test.map((t) => t.bytes));
    hosted.dispose();
    const onnx = asMap(await buildExportBundle(r.files, facts('cnn4'), 'onnx'));
    expect(onnx.has('LICENSE-backbone-weights.txt')).toBe(false);
    expect(onnx.get('README.md')!.toString()).toContain('every weight was trained by Tailor from scratch');
    const offline = await openOnnxBundle(onnx);
    const o = compare(want, await offline.predict(test));
    await offline.release();
    const tfjs = await openTfjsBundle(asMap(await buildExportBundle(r.files, facts('cnn4'), 'tfjs')));
    const t = compare(want, await tfjs.predict(test));
    tfjs.dispose();
    expect([o.agree, t.agree]).toEqual([test.length, test.length]);
    expect(o.maxDp).toBeLessThan(1e-4);
    expect(t.maxDp).toBeLessThan(1e-3);
    console.log(`CNN export parity: ONNX max|dp| ${o.maxDp.toExponential(2)}, TF.js ${t.maxDp.toExponential(2)}`);
  }, 300_000);

  it('runs offline from files alone: an unreadable image gets its own error, the others their predictions', async () => {
    const offline = await openOnnxBundle(asMap(await buildExportBundle(artifactToFiles(merged), facts('auto'), 'onnx')));
    const out = await offline.predict([{ name: 'bad.jpg', bytes: Buffer.from('not an image') }, test[0]!], { topK: 2 });
    await offline.release();
    expect(out[0]).toEqual({ file: 'bad.jpg', ok: false, error: 'not a readable image' });
    expect(out[1]).toMatchObject({ file: test[0]!.name, ok: true });
    expect(out[1]!.ok && out[1]!.prediction).toHaveLength(2);
    await expect(openOnnxBundle(new Map([['labels.json', Buffer.from('[]')]]))).rejects.toThrow('not a Tailor export bundle: preprocessing.json is missing');
  }, 120_000);

  it('builds bundles and runs ONNX ones without loading TensorFlow.js', () => {
    const root = resolve(__dirname, '../../../..');
    const probe = `require(${JSON.stringify(join(__dirname, 'index.ts'))}); require(${JSON.stringify(join(__dirname, 'run-bundle.ts'))});
      console.log(JSON.stringify(Object.keys(require.cache).filter((k) => k.includes('@tensorflow')).length));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toBe(0);
  });
});
