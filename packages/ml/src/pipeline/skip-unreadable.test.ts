/** @jest-environment ./packages/ml/src/onnx/jest-ort-environment.js */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { trainCnnClassifier } from '../cnn-classifier';
import { DEFAULT_BACKBONE, defaultHeads } from './settings';
import { trainClassifier, type TrainingImage, type TrainProgress } from './index';

const SHARED = process.env.TAILOR_SHARED_DIR ?? resolve(__dirname, '../../../../../shared');
const NANONETS = join(SHARED, 'datasets/nanonets-fashion/train');
const CLASSES = ['Bag', 'Trouser'];

function jpegs(perClass: number): TrainingImage[] {
  return CLASSES.flatMap((label) =>
    readdirSync(join(NANONETS, label)).sort().slice(0, perClass).map((f) => {
      const bytes = readFileSync(join(NANONETS, label, f));
      return { id: `${label}/${f}`, filename: f, sha256: createHash('sha256').update(bytes).digest('hex'), label, bytes };
    }),
  );
}

/** The dataset with its third Bag cut short, as a blob damaged in storage (or an upload from before the full check). */
function withTruncatedBag(perClass: number) {
  const images = jpegs(perClass);
  const bad = images[2]!;
  images[2] = { ...bad, bytes: bad.bytes!.subarray(0, Math.floor(bad.bytes!.length * 0.8)) };
  return { images, bad };
}

const skippedEntry = (bad: TrainingImage) => ({ id: bad.id, filename: bad.filename, reason: expect.stringMatching(/^image data is truncated or corrupt/) });

describe('a run with an unreadable image skips it, names it and trains on the rest', () => {
  it('transfer heads (and the evaluation covers only the images it trained on)', async () => {
    const { images, bad } = withTruncatedBag(8);
    const progress: TrainProgress[] = [];
    const result = await trainClassifier({
      images,
      classes: CLASSES,
      seed: 5,
      settings: {
        searchBudgetSeconds: 5,
        folds: 3,
        trainViews: 1,
        flipTta: false,
        cnnCandidates: [],
        featureSets: [{ name: 'v2@96', backbone: DEFAULT_BACKBONE, inputSize: 96, layers: ['pool_block_12'] }],
        heads: defaultHeads().slice(0, 1),
      },
      onProgress: (p) => progress.push(p),
    });
    expect(result.skippedImages).toEqual([skippedEntry(bad)]);
    expect(result.report.count).toBe(15);
    expect(result.artifact.manifest.training.trainImages).toBe(15);
    expect(progress.find((p) => p.message?.startsWith('skipped 1 unreadable image: '))?.message).toContain(bad.filename);
  }, 180_000);

  it('the tutorial CNN as a service model', async () => {
    const { images, bad } = withTruncatedBag(8);
    const result = await trainCnnClassifier({ images, classes: CLASSES, arch: 'cnn1', seed: 5, epochs: 1 });
    expect(result.skippedImages).toEqual([skippedEntry(bad)]);
    expect(result.files['weights.bin']!.length).toBeGreaterThan(0);
  }, 180_000);

  it('fails when too few readable images are left, naming the unreadable ones', async () => {
    const { images, bad } = withTruncatedBag(5);
    const run = trainClassifier({ images, classes: CLASSES, seed: 5, minImagesPerClass: 5 });
    await expect(run).rejects.toThrow(`every class needs at least 5 images; too few: Bag (4); skipped 1 unreadable image: ${bad.filename} (image data is truncated`);
    const cnn = trainCnnClassifier({ images, classes: CLASSES, arch: 'cnn1', seed: 5, epochs: 1, minImagesPerClass: 5 });
    await expect(cnn).rejects.toThrow(`too few: Bag (4); skipped 1 unreadable image: ${bad.filename}`);
  });
});
