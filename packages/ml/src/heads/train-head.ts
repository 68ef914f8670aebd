import { initTf, tf } from '../tf/backend';
import { balancedClassWeights } from './class-weights';
import { type FeatureMatrix, selectRows } from './matrix';
import { createRng, deriveSeed, type Rng, shuffleInPlace } from '../random';
import { applyStandardizer, fitStandardizer } from './standardizer';
import { stratifiedHoldout } from './stratified-split';
import type { EpochStats, HeadConfig, NamedWeight, TrainedHead } from './types';

export interface HeadTrainingData {
  x: FeatureMatrix;
  /** Class index per row. */
  y: Int32Array;
  /**
   * Source image per row. Several rows may be views of one image (original, flipped, augmented); the validation
   * split keeps all views of an image on the same side so that validation is not flattered by near-duplicates.
   */
  groups?: Int32Array;
}

export interface TrainHeadOptions {
  seed: number;
  signal?: AbortSignal;
  onEpoch?: (stats: EpochStats) => void;
}

let variableCounter = 0;

/** Glorot-uniform initial weights from the seeded generator (tfjs initialisers would draw from a global stream). */
function glorot(rows: number, cols: number, rng: Rng): Float32Array {
  const limit = Math.sqrt(6 / (rows + cols));
  const w = new Float32Array(rows * cols);
  for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * limit;
  return w;
}

/**
 * Trains a logistic-regression or one-hidden-layer MLP head with Adam on standardised features.
 *
 * Gradients are written out by hand rather than taken with `tf.grad`: the wasm backend's matMul with a transposed
 * operand is ~15x slower than transposing first, and autodiff of a dense layer produces exactly those transposed
 * products. Explicit `transpose()` + `matMul` makes a training step ~5x faster here.
 */
export async function trainHead(data: HeadTrainingData, numClasses: number, config: HeadConfig, opts: TrainHeadOptions): Promise<TrainedHead> {
  await initTf();
  const { x, y } = data;
  if (x.rows !== y.length) throw new Error(`trainHead: ${x.rows} rows but ${y.length} labels`);
  const groups = data.groups ?? Int32Array.from({ length: x.rows }, (_, i) => i);
  const rng = createRng(deriveSeed(opts.seed, 'head'));

  // Validation split by image (group), stratified by the group's label.
  const groupIds = [...new Set(groups)].sort((a, b) => a - b);
  const groupLabel = new Map<number, number>();
  for (let i = 0; i < x.rows; i++) groupLabel.set(groups[i], y[i]);
  const usePatience = config.patience > 0 && config.validationFraction > 0;
  const heldGroups = new Set<number>();
  if (usePatience) {
    const held = stratifiedHoldout(groupIds.map((g) => groupLabel.get(g)!), config.validationFraction, rng);
    groupIds.forEach((g, i) => held[i] && heldGroups.add(g));
  }
  const trainIdx: number[] = [];
  const valIdx: number[] = [];
  for (let i = 0; i < x.rows; i++) (heldGroups.has(groups[i]) ? valIdx : trainIdx).push(i);

  const trainRaw = selectRows(x, trainIdx);
  const standardizer = fitStandardizer(trainRaw);
  const trainX = applyStandardizer(trainRaw, standardizer);
  const trainY = Int32Array.from(trainIdx, (i) => y[i]);
  const valX = valIdx.length ? applyStandardizer(selectRows(x, valIdx), standardizer) : undefined;
  const valY = Int32Array.from(valIdx, (i) => y[i]);

  const d = x.dim;
  const h = config.kind === 'mlp' ? config.hidden : 0;
  const classW = config.classWeights === 'balanced' ? balancedClassWeights(trainY, numClasses) : new Float32Array(numClasses).fill(1);

  const id = ++variableCounter;
  const shapes: Record<string, number[]> = h ? { W1: [d, h], b1: [h], W2: [h, numClasses], b2: [numClasses] } : { W1: [d, numClasses], b1: [numClasses] };
  const init: Record<string, Float32Array> = h
    ? { W1: glorot(d, h, rng), b1: new Float32Array(h), W2: glorot(h, numClasses, rng), b2: new Float32Array(numClasses) }
    : { W1: glorot(d, numClasses, rng), b1: new Float32Array(numClasses) };
  const vars: Record<string, tf.Variable> = {};
  for (const k of Object.keys(shapes)) {
    const t = tf.tensor(init[k], shapes[k]);
    vars[k] = tf.variable(t, true, `head${id}_${k}`);
    t.dispose(); // the variable holds its own reference to the data
  }
  const optimizer = tf.train.adam(config.learningRate);

  // Batches are assembled in JS (row copies) rather than with tf.gather, which is ~20x slower on the wasm backend.
  const smooth = config.labelSmoothing;
  const sampleW = Float32Array.from(trainY, (c) => classW[c]);
  const batchX = new Float32Array(config.batchSize * d);
  const batchY = new Float32Array(config.batchSize * numClasses);
  const batchW = new Float32Array(config.batchSize);
  const batchLabels = new Int32Array(config.batchSize);
  const Xv = valX ? tf.tensor2d(valX.data, [valX.rows, d]) : undefined;
  const Yv = valX ? tf.tidy(() => tf.oneHot(tf.tensor1d(valY, 'int32'), numClasses).toFloat()) : undefined;

  const history: EpochStats[] = [];
  let best: Record<string, Float32Array> | undefined;
  let bestLoss = Infinity;
  let bestEpoch = 0;
  let sinceBest = 0;
  const order = Int32Array.from({ length: trainX.rows }, (_, i) => i);
  const bs = Math.max(1, Math.min(config.batchSize, trainX.rows));

  const forward = (xb: tf.Tensor2D, training: boolean, dropSeed = 0) => {
    if (!h) return { logits: xb.matMul(vars.W1).add(vars.b1) as tf.Tensor2D };
    const z1 = xb.matMul(vars.W1).add(vars.b1) as tf.Tensor2D;
    const a1 = tf.relu(z1);
    let mask: tf.Tensor2D | undefined;
    let hid = a1;
    if (training && config.dropout > 0) {
      mask = tf.randomUniform(a1.shape, 0, 1, 'float32', dropSeed).greaterEqual(config.dropout).toFloat().div(1 - config.dropout) as tf.Tensor2D;
      hid = a1.mul(mask);
    }
    return { logits: hid.matMul(vars.W2).add(vars.b2) as tf.Tensor2D, z1, hid, mask };
  };

  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      shuffleInPlace(order, rng);
      let lossSum = 0;
      let correct = 0;
      for (let start = 0; start < order.length; start += bs) {
        const idx = order.subarray(start, Math.min(order.length, start + bs));
        const dropSeed = rng.int(2 ** 31);
        const m = idx.length;
        batchY.fill(smooth / numClasses);
        for (let j = 0; j < m; j++) {
          const r = idx[j];
          batchX.set(trainX.data.subarray(r * d, (r + 1) * d), j * d);
          batchY[j * numClasses + trainY[r]] += 1 - smooth;
          batchW[j] = sampleW[r];
          batchLabels[j] = trainY[r];
        }
        const out = tf.tidy(() => {
          const xb = tf.tensor2d(batchX.subarray(0, m * d), [m, d]);
          const yb = tf.tensor2d(batchY.subarray(0, m * numClasses), [m, numClasses]);
          const wb = tf.tensor1d(batchW.subarray(0, m));
          const f = forward(xb, true, dropSeed);
          const logp = tf.logSoftmax(f.logits);
          const wsum = wb.sum().add(1e-12);
          const loss = tf.neg(yb.mul(logp).sum(1).mul(wb).sum()).div(wsum);
          const dlogits = tf.exp(logp).sub(yb).mul(wb.expandDims(1)).div(wsum) as tf.Tensor2D;
          const grads: Record<string, tf.Tensor> = {};
          if (!h) {
            grads.W1 = xb.transpose().matMul(dlogits).add(vars.W1.mul(config.l2));
            grads.b1 = dlogits.sum(0);
          } else {
            grads.W2 = f.hid!.transpose().matMul(dlogits).add(vars.W2.mul(config.l2));
            grads.b2 = dlogits.sum(0);
            let dz = dlogits.matMul(vars.W2.transpose()).mul(f.z1!.greater(0).toFloat());
            if (f.mask) dz = dz.mul(f.mask);
            grads.W1 = xb.transpose().matMul(dz).add(vars.W1.mul(config.l2));
            grads.b1 = dz.sum(0);
          }
          const hits = f.logits.argMax(1).equal(tf.tensor1d(batchLabels.subarray(0, m), 'int32')).toFloat().sum();
          return { grads, loss, hits };
        });
        optimizer.applyGradients(Object.entries(out.grads).map(([k, tensor]) => ({ name: vars[k].name, tensor })));
        lossSum += (await out.loss.data())[0] * idx.length;
        correct += (await out.hits.data())[0];
        tf.dispose([out.loss, out.hits, ...Object.values(out.grads)]);
      }
      const stats: EpochStats = { epoch, trainLoss: lossSum / order.length, trainAccuracy: correct / order.length };
      if (Xv && Yv) {
        const [vl, va] = tf.tidy(() => {
          const logits = forward(Xv, false).logits;
          const l = tf.neg(Yv.mul(tf.logSoftmax(logits)).sum(1).mean());
          const a = logits.argMax(1).equal(Yv.argMax(1)).toFloat().mean();
          return [l, a];
        });
        stats.validationLoss = (await vl.data())[0];
        stats.validationAccuracy = (await va.data())[0];
        tf.dispose([vl, va]);
      }
      history.push(stats);
      opts.onEpoch?.(stats);
      if (usePatience && Xv) {
        if (stats.validationLoss! < bestLoss - 1e-4) {
          bestLoss = stats.validationLoss!;
          bestEpoch = epoch;
          sinceBest = 0;
          best = snapshot(vars);
        } else if (++sinceBest >= config.patience) {
          break;
        }
      }
    }
    const final = best ?? snapshot(vars);
    const weights: Record<string, NamedWeight> = {};
    for (const k of Object.keys(shapes)) weights[k] = { shape: shapes[k], values: final[k] };
    return { config, inputDim: d, numClasses, standardizer, weights, history, bestEpoch: best ? bestEpoch : history.length };
  } finally {
    tf.dispose([...(Xv ? [Xv] : []), ...(Yv ? [Yv] : []), ...Object.values(vars)]);
    optimizer.dispose();
  }
}

function snapshot(vars: Record<string, tf.Variable>): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(vars)) out[k] = Float32Array.from(v.dataSync() as Float32Array);
  return out;
}
