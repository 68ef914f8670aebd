import { createRng, shuffleInPlace } from '../random';
import { Adam, type AdamParam } from './adam';
import type { FinetuneGraphs } from './finetune-graphs';
import type { FinetuneSession } from './finetune-session';
import type { TopSubgraph } from './top-subgraph';
import type { CutActivations } from './cut-activations';

export interface TopTrainConfig {
  epochs: number;
  batchSize: number;
  /** Peak learning rate of the head; the top's tensors learn at `lr * topLrScale`. */
  lr: number;
  topLrScale: number;
  /** Decoupled decay of the top toward its pre-trained weights (L2-SP) and of the head toward zero. */
  topWeightDecay: number;
  headWeightDecay: number;
  dropout: number;
  labelSmoothing: number;
  /** Epochs of linear warm-up before the cosine decay. */
  warmupEpochs: number;
  /** Views (indices into CutActivations.views) sampled for training; one random view per image and epoch. */
  trainViews: number[];
}

export const DEFAULT_TOP_TRAIN: TopTrainConfig = {
  epochs: 10,
  batchSize: 32,
  lr: 1e-3,
  topLrScale: 0.3,
  topWeightDecay: 1e-2,
  headWeightDecay: 1e-4,
  dropout: 0.2,
  labelSmoothing: 0.1,
  warmupEpochs: 1,
  trainViews: [0, 1],
};

export interface TrainedTop {
  /** Parameter values in FinetuneGraphs.paramNames order. */
  params: Float32Array[];
  history: Array<{ epoch: number; trainLoss: number; trainAccuracy: number }>;
}

export interface TopTrainOptions {
  signal?: AbortSignal;
  onEpoch?: (e: { epoch: number; epochs: number; loss: number }) => void;
  /** Start values of the head ([K,D] weights, [K] bias), e.g. a linear probe on the frozen top (LP-FT). */
  headInit?: { w: Float32Array; b: Float32Array };
}

/** Trains the top and a new softmax head on the given rows' cached cut activations. Deterministic for a seed. */
export async function trainTop(
  session: FinetuneSession,
  graphs: FinetuneGraphs,
  sub: TopSubgraph,
  acts: CutActivations,
  labels: Int32Array,
  rows: number[],
  numClasses: number,
  config: TopTrainConfig,
  seed: number,
  options: TopTrainOptions = {},
): Promise<TrainedTop> {
  const rng = createRng(seed);
  const [k, d] = [numClasses, graphs.featureDim];
  const head = options.headInit ?? { w: Float32Array.from({ length: k * d }, () => rng.normal() * Math.sqrt(2 / (d + k)) * 0.1), b: new Float32Array(k) };
  const params = [...sub.params.map((p) => Float32Array.from(p.init)), Float32Array.from(head.w), Float32Array.from(head.b)];
  const adamParams: AdamParam[] = params.map((value, i) => {
    const top = i < sub.params.length;
    return top
      ? { value, anchor: sub.params[i].init, lrScale: config.topLrScale, weightDecay: config.topWeightDecay }
      : { value, lrScale: 1, weightDecay: config.headWeightDecay };
  });
  const adam = new Adam(adamParams);
  // Balanced class weights over the training rows.
  const counts = new Array<number>(k).fill(0);
  for (const r of rows) counts[labels[r]]++;
  const classWeight = counts.map((c) => (c ? rows.length / (k * c) : 0));

  const per = acts.shape[0] * acts.shape[1] * acts.shape[2];
  const bs = config.batchSize;
  const x = new Float32Array(bs * per);
  const y = new Float32Array(bs * k);
  const mask = new Float32Array(bs * d);
  const stepsPerEpoch = Math.ceil(rows.length / bs);
  const totalSteps = stepsPerEpoch * config.epochs;
  const warmup = Math.max(1, Math.round(stepsPerEpoch * config.warmupEpochs));
  const order = [...rows];
  const history: TrainedTop['history'] = [];
  const keep = 1 - config.dropout;
  let step = 0;
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    shuffleInPlace(order, rng);
    let lossSum = 0;
    let hits = 0;
    for (let start = 0; start < order.length; start += bs) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      const batch = order.slice(start, start + bs);
      const n = batch.length;
      let wSum = 0;
      batch.forEach((r) => (wSum += classWeight[labels[r]]));
      y.fill(0, 0, n * k);
      batch.forEach((r, i) => {
        const view = config.trainViews[rng.int(config.trainViews.length)];
        x.set(acts.views[view].subarray(r * per, (r + 1) * per), i * per);
        const w = classWeight[labels[r]] / wSum;
        for (let c = 0; c < k; c++) y[i * k + c] = (w * config.labelSmoothing) / k;
        y[i * k + labels[r]] += w * (1 - config.labelSmoothing);
      });
      for (let i = 0; i < n * d; i++) mask[i] = config.dropout > 0 ? (rng.next() < keep ? 1 / keep : 0) : 1;
      const { loss, grads, logits } = await session.trainStep(x, n, y, mask, params);
      lossSum += loss * n;
      batch.forEach((r, i) => {
        let best = 0;
        for (let c = 1; c < k; c++) if (logits[i * k + c] > logits[i * k + best]) best = c;
        if (best === labels[r]) hits++;
      });
      step++;
      const lr = step <= warmup ? (config.lr * step) / warmup : 0.5 * config.lr * (1 + Math.cos((Math.PI * (step - warmup)) / Math.max(1, totalSteps - warmup)));
      adam.step(grads, lr);
    }
    const trainLoss = lossSum / order.length;
    history.push({ epoch, trainLoss, trainAccuracy: hits / order.length });
    options.onEpoch?.({ epoch, epochs: config.epochs, loss: trainLoss });
  }
  return { params, history };
}

/** Softmax probabilities of the given rows, averaged over `views` (test-time augmentation). [rows x K] */
export async function predictTop(session: FinetuneSession, acts: CutActivations, rows: number[], views: number[], params: Float32Array[], numClasses: number, batchSize = 64): Promise<Float32Array> {
  const per = acts.shape[0] * acts.shape[1] * acts.shape[2];
  const out = new Float32Array(rows.length * numClasses);
  const x = new Float32Array(batchSize * per);
  for (const v of views) {
    for (let start = 0; start < rows.length; start += batchSize) {
      const batch = rows.slice(start, start + batchSize);
      batch.forEach((r, i) => x.set(acts.views[v].subarray(r * per, (r + 1) * per), i * per));
      const { logits } = await session.predict(x, batch.length, params);
      for (let i = 0; i < batch.length; i++) {
        const row = logits.subarray(i * numClasses, (i + 1) * numClasses);
        const max = Math.max(...row);
        let sum = 0;
        const e = Array.from(row, (z) => ((sum += Math.exp(z - max)), Math.exp(z - max)));
        for (let c = 0; c < numClasses; c++) out[(start + i) * numClasses + c] += e[c] / sum / views.length;
      }
    }
  }
  return out;
}
