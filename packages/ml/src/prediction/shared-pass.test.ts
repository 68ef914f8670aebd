/** @jest-environment ./packages/ml/src/onnx/jest-ort-environment.js */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_TOP_TRAIN } from '../finetune/train-top';
import { DEFAULT_HEAD_CONFIG } from '../heads/types';
import { trainClassifier } from '../pipeline/train-classifier';
import type { ClassifierArtifact } from './artifact';
import { loadClassifier } from './load-classifier';

const DIR = path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'datasets', 'nanonets-fashion');
const CLASSES = ['Bag', 'Trouser', 'Sandal', 'Sneaker'];
const images = (split: string, n: number) =>
  CLASSES.flatMap((c) => readdirSync(path.join(DIR, split, c)).sort().slice(0, n).map((f) => ({ id: `${c}/${f}`, sha256: `${c}/${f}`, label: c, bytes: readFileSync(path.join(DIR, split, c, f)) })));

/** The artifact without calibration, so probabilities are plain averages of the members'. */
function only(a: ClassifierArtifact): ClassifierArtifact {
  const { calibration: _c, thresholds: _t, ...manifest } = a.manifest as typeof a.manifest & { calibration?: unknown; thresholds?: unknown };
  return { files: a.files, manifest: manifest as typeof a.manifest };
}

describe('a fine-tuned member and heads on the same backbone pass', () => {
  it('are served by one pass, with the probabilities of serving each apart', async () => {
    const { trainViews: _, ...train } = { ...DEFAULT_TOP_TRAIN, epochs: 2 };
    const common = { images: images('train', 10), classes: CLASSES, seed: 3 };
    const tunedRun = await trainClassifier({
      ...common,
      settings: { folds: 3, finetunes: [{ backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 96, cut: 'block_13', top: 'conv_1', views: 2, ttaViews: 2, train, serve: 'bagged' }] },
    });
    const headRun = await trainClassifier({
      ...common,
      settings: { folds: 3, featureSets: [{ name: 'v2@96:b9+b15', backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 96, layers: ['pool_block_9', 'pool_block_15'] }], heads: [{ ...DEFAULT_HEAD_CONFIG, kind: 'logistic', epochs: 10, patience: 0, validationFraction: 0 }] },
    });
    const tunedOnly = only(tunedRun.artifact);
    const headOnly = only(headRun.artifact);
    expect(tunedOnly.manifest.members.map((m) => m.kind)).toEqual(['finetune']);
    expect(headOnly.manifest.members.map((m) => m.kind)).toEqual(['head']);
    // One artifact holding both members: the head's files moved under h/ so the two do not collide.
    const moved = (ref: { file: string; shape: number[] }) => ({ ...ref, file: `h/${ref.file}` });
    const head = headOnly.manifest.members[0] as Extract<ClassifierArtifact['manifest']['members'][number], { kind: 'head' }>;
    const both: ClassifierArtifact = {
      files: { ...tunedOnly.files, ...Object.fromEntries(Object.entries(headOnly.files).map(([k, v]) => [`h/${k}`, v])) },
      manifest: {
        ...tunedOnly.manifest,
        featureSets: headOnly.manifest.featureSets,
        members: [...tunedOnly.manifest.members, { ...head, tensors: Object.fromEntries(Object.entries(head.tensors).map(([k, r]) => [k, moved(r)])) }],
      },
    };
    const test = images('test', 3).map((i) => i.bytes);
    const [shared, h, t] = [await loadClassifier(both), await loadClassifier(headOnly), await loadClassifier(tunedOnly)];
    const probs = async (clf: Awaited<ReturnType<typeof loadClassifier>>) =>
      (await clf.predict(test)).map((r) => Object.fromEntries(r.prediction.map((p) => [p.label, p.probability])));
    const [a, b, c] = [await probs(shared), await probs(h), await probs(t)];
    let maxDiff = 0;
    a.forEach((row, i) => CLASSES.forEach((k) => (maxDiff = Math.max(maxDiff, Math.abs(row[k] - (b[i][k] + c[i][k]) / 2)))));
    expect(maxDiff).toBeLessThan(1e-5);
    await Promise.all([shared.dispose(), h.dispose(), t.dispose()]);
  });
});
