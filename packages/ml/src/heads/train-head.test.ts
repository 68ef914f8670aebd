import { imageAt, loadFashionMnist, sampleStratified } from '../datasets';
import { initTf, tf } from '../tf/backend';
import { DEFAULT_HEAD_CONFIG, type FeatureMatrix, type HeadConfig, HeadRunner, predictHead, trainHead } from './index';

/** Raw-pixel features of a stratified Fashion-MNIST sample: real data, no backbone needed. */
function pixelFeatures(split: 'train' | 'test', perClass: number, seed: number): { x: FeatureMatrix; y: Int32Array } {
  const set = loadFashionMnist(split);
  const idx = sampleStratified(set.labels, perClass, seed);
  const data = new Float32Array(idx.length * 784);
  idx.forEach((i, r) => imageAt(set, i).forEach((v, j) => (data[r * 784 + j] = v / 255)));
  return { x: { rows: idx.length, dim: 784, data }, y: Int32Array.from(idx, (i) => set.labels[i]) };
}

function accuracy(probs: Float32Array, y: Int32Array, c: number): number {
  let hit = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (probs[i * c + k] > probs[i * c + best]) best = k;
    if (best === y[i]) hit++;
  }
  return hit / y.length;
}

describe('trainHead on raw Fashion-MNIST pixels', () => {
  const train = pixelFeatures('train', 50, 1);
  const test = pixelFeatures('test', 30, 1);
  beforeAll(() => initTf());

  const lr: HeadConfig = { ...DEFAULT_HEAD_CONFIG, kind: 'logistic', epochs: 30, patience: 0, validationFraction: 0, l2: 1e-3, learningRate: 3e-3 };
  const mlp: HeadConfig = { ...DEFAULT_HEAD_CONFIG, hidden: 128, epochs: 40, patience: 5 };

  it('logistic regression learns well above chance (10%) and does not leak tensors', async () => {
    const before = tf.memory().numTensors;
    const head = await trainHead(train, 10, lr, { seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(head.history).toHaveLength(30);
    expect(head.history[29].trainLoss).toBeLessThan(head.history[0].trainLoss);
    const acc = accuracy(predictHead(head, test.x), test.y, 10);
    expect(acc).toBeGreaterThan(0.7);
  });

  it('MLP with early stopping: same seed gives identical weights, another seed different ones', async () => {
    const a = await trainHead(train, 10, mlp, { seed: 7 });
    const b = await trainHead(train, 10, mlp, { seed: 7 });
    const c = await trainHead(train, 10, mlp, { seed: 8 });
    expect(Array.from(a.weights.W2.values)).toEqual(Array.from(b.weights.W2.values));
    expect(Array.from(a.weights.W2.values)).not.toEqual(Array.from(c.weights.W2.values));
    expect(a.history.every((h) => h.validationLoss !== undefined)).toBe(true);
    expect(a.bestEpoch).toBeGreaterThan(0);
    expect(accuracy(predictHead(a, test.x), test.y, 10)).toBeGreaterThan(0.7);
  });

  it('probabilities sum to one and repeated prediction keeps the tensor count flat', async () => {
    const head = await trainHead(train, 10, { ...lr, epochs: 3 }, { seed: 1 });
    const runner = new HeadRunner(head);
    runner.predictProba(test.x);
    const n = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) runner.predictProba(test.x);
    expect(tf.memory().numTensors).toBe(n);
    const p = runner.predictProba(test.x);
    for (let i = 0; i < test.y.length; i++) expect(p.subarray(i * 10, i * 10 + 10).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 4);
    runner.dispose();
  });

  it('class weights let a rare class be predicted', async () => {
    // Keep only 3 of 50 trousers: without weights a trouser is easy to drown in the other 450 images.
    let keptTrousers = 0;
    const keep: number[] = [];
    train.y.forEach((l, i) => { if (l !== 1 || keptTrousers++ < 3) keep.push(i); });
    const x: FeatureMatrix = { rows: keep.length, dim: 784, data: new Float32Array(keep.length * 784) };
    keep.forEach((i, r) => x.data.set(train.x.data.subarray(i * 784, (i + 1) * 784), r * 784));
    const y = Int32Array.from(keep, (i) => train.y[i]);
    const head = await trainHead({ x, y }, 10, { ...lr, classWeights: 'balanced' }, { seed: 3 });
    const probs = predictHead(head, test.x);
    const trouserIdx = [...test.y.keys()].filter((i) => test.y[i] === 1);
    const recall = trouserIdx.filter((i) => { const r = probs.subarray(i * 10, i * 10 + 10); return r.indexOf(Math.max(...r)) === 1; }).length / trouserIdx.length;
    expect(recall).toBeGreaterThan(0.5);
  });
});
