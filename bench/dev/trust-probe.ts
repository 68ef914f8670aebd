/**
 * Development probe for the OOD detector: does the held-out-class simulation on training images track the real
 * held-out-class AUROC, and which score is strongest? Fashion-MNIST *train split only*: 100/class to fit, another
 * 100/class (disjoint) as new images. Never the official test set.
 *   npx tsx bench/dev/trust-probe.ts --seed 1
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadFashionMnist, sampleStratified } from '../../packages/ml/src/datasets/fashion-mnist';
import { createEmbedder } from '../../packages/ml/src/embeddings';
import type { FeatureMatrix } from '../../packages/ml/src/heads/matrix';
import { createRng, deriveSeed } from '../../packages/ml/src/random';
import { stratifiedFolds } from '../../packages/ml/src/heads/stratified-split';
import { centroidScores, fitCentroids } from '../../packages/ml/src/prediction/ood';
import { auroc } from '../../packages/ml/src/trust/auroc';
import { dot, normalizeRows } from '../../packages/ml/src/trust/knn-ood';
import { fitStandardizer } from '../../packages/ml/src/heads/standardizer';
import { crossValidateOod, describeOodMethod, type OodMethod } from '../../packages/ml/src/trust/ood-cross-validation';
import { numberFlag, parseFlags } from '../lib/args';
import { DEFAULT_HEAD_CONFIG, predictHead, trainHead } from '../../packages/ml/src/heads';
import { greyInputs } from '../lib/fashion-inputs';

const flags = parseFlags(process.argv.slice(2));
const seed = numberFlag(flags, 'seed', 1);
const SETS = [
  { name: 'v2@160:b3-16', backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 160, layers: Array.from({ length: 14 }, (_, i) => `pool_block_${i + 3}`) },
  { name: 'v2@96:b9+12+15+16', backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 96, layers: [9, 12, 15, 16].map((b) => `pool_block_${b}`) },
  { name: 'v1@224:c11-13', backbone: 'mobilenet_v1_1.0_224_quant_embedding', inputSize: 224, layers: [11, 12, 13].map((b) => `pool_conv_${b}`) },
  { name: 'v2@96:b13 (cut)', backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 96, layers: ['pool_block_13'] },
];

async function features(set: (typeof SETS)[number], inputs: ReturnType<typeof greyInputs>, tag: string): Promise<FeatureMatrix> {
  const dir = join(__dirname, '..', 'out', 'trust-probe');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${tag}-${set.name.replace(/[^a-z0-9]+/gi, '_')}.f32`);
  const emb = await createEmbedder({ backbone: set.backbone, layers: set.layers, inputSize: set.inputSize });
  const dim = emb.dim;
  if (existsSync(file)) {
    await emb.close();
    const b = readFileSync(file);
    return { rows: inputs.length, dim, data: new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4).slice() };
  }
  const rows = await emb.embed(inputs);
  await emb.close();
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => data.set(r, i * dim));
  writeFileSync(file, Buffer.from(data.buffer));
  return { rows: rows.length, dim, data };
}

function subset(x: FeatureMatrix, idx: number[]): FeatureMatrix {
  const data = new Float32Array(idx.length * x.dim);
  idx.forEach((i, r) => data.set(x.data.subarray(i * x.dim, (i + 1) * x.dim), r * x.dim));
  return { rows: idx.length, dim: x.dim, data };
}

async function main() {
  const set = loadFashionMnist('train');
  const idx = sampleStratified(set.labels, 200, seed);
  const byClass = new Map<number, number[]>();
  for (const i of idx) byClass.set(set.labels[i], [...(byClass.get(set.labels[i]) ?? []), i]);
  const tr = [...byClass.values()].flatMap((l) => l.slice(0, 100));
  const va = [...byClass.values()].flatMap((l) => l.slice(100));
  const yTr = Int32Array.from(tr, (i) => set.labels[i]);
  const yVa = Int32Array.from(va, (i) => set.labels[i]);
  const c = 10;
  const k = 5;
  const folds = stratifiedFolds(yTr, k, createRng(deriveSeed(seed, 'folds')));
  const specs: OodMethod[] = [
    { method: 'nearest-centroid' },
    ...[1, 5, 10, 20].flatMap((kk) => [false, true].map((standardize): OodMethod => ({ method: 'knn', k: kk, standardize }))),
  ];
  const only = flags.get('sets');
  const combined: Float32Array[] = [];
  const LR = { ...DEFAULT_HEAD_CONFIG, kind: 'logistic' as const, learningRate: 1e-2, batchSize: 512, epochs: 25, patience: 0, validationFraction: 0, labelSmoothing: 0, l2: 1e-2 };
  for (const s of SETS.filter((x, i) => typeof only !== 'string' || only.split(',').includes(String(i)))) {
    const t0 = performance.now();
    const xTr = await features(s, greyInputs(set, tr), `s${seed}-train`);
    const xVa = await features(s, greyInputs(set, va), `s${seed}-val`);
    const tEmb = performance.now();
    const sim = crossValidateOod(xTr, yTr, c, folds, k, specs);
    const tSim = performance.now();
    console.log(`\n${s.name} (dim ${xTr.dim}; embed ${((tEmb - t0) / 1000).toFixed(1)} s, simulation ${((tSim - tEmb) / 1000).toFixed(1)} s)`);
    // Real: fit on the training images without class h, score new images. Similarities computed once per variant.
    const sims = new Map<boolean, Float32Array>();
    for (const standardize of [false, true]) {
      const st = standardize ? fitStandardizer(xTr) : undefined;
      const a = normalizeRows(xVa, st);
      const b = normalizeRows(xTr, st);
      const g = new Float32Array(xVa.rows * xTr.rows);
      for (let i = 0; i < xVa.rows; i++) for (let j = 0; j < xTr.rows; j++) g[i * xTr.rows + j] = dot(a, i * xTr.dim, b, j * xTr.dim, xTr.dim);
      sims.set(standardize, g);
    }
    if (flags.has('euclid')) {
      // Euclidean kNN on standardised features (magnitude kept) vs cosine, near (held-out class) and far (photos).
      const st = fitStandardizer(xTr);
      const stdRows = (m: FeatureMatrix) => { const o = new Float32Array(m.rows * m.dim); for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.dim; j++) o[i * m.dim + j] = (m.data[i * m.dim + j] - st.mean[j]) / st.std[j]; return o; };
      const samplesDir = join(__dirname, '..', '..', '..', 'shared', 'backbones', 'samples');
      const photos = ['parrot.jpg', 'hot_dog.jpg', 'cat_720p.jpg', 'owl.jpg', 'pets.jpg'].map((f) => readFileSync(join(samplesDir, f)));
      const emb = await createEmbedder({ backbone: s.backbone, layers: s.layers, inputSize: s.inputSize });
      const ph = await emb.embed(photos);
      await emb.close();
      const xPh = { rows: ph.length, dim: xTr.dim, data: Float32Array.from(ph.flatMap((r) => Array.from(r))) };
      const a = stdRows(xVa), b = stdRows(xTr), p = stdRows(xPh);
      const sq = (m: Float32Array, i: number) => dot(m, i * xTr.dim, m, i * xTr.dim, xTr.dim);
      const nb = xTr.rows;
      const bn = Array.from({ length: nb }, (_, j) => sq(b, j));
      // Distances of every query row to every training row, once per metric.
      const table = (q: Float32Array, rows: number, metric: string) => {
        const out = new Float32Array(rows * nb);
        for (let i = 0; i < rows; i++) {
          const qq = sq(q, i);
          for (let j = 0; j < nb; j++) {
            const ab = dot(q, i * xTr.dim, b, j * xTr.dim, xTr.dim);
            out[i * nb + j] = metric === 'euclid' ? (qq + bn[j] - 2 * ab) / xTr.dim : 1 - ab / Math.sqrt(qq * bn[j]);
          }
        }
        return out;
      };
      if (flags.has('combo')) {
        // max(cosine / its p99, euclid / its p99), both k-th neighbour distances with the class left out.
        const dc = table(a, xVa.rows, 'cosine');
        const de = table(a, xVa.rows, 'euclid');
        const pc = table(p, xPh.rows, 'cosine');
        const pe = table(p, xPh.rows, 'euclid');
        const kth = (d: Float32Array, i: number, keep: number[], kk: number) => keep.map((j) => d[i * nb + j]).sort((x, y) => x - y)[kk - 1];
        for (const [kc, ke] of [[5, 1], [5, 5], [1, 1], [10, 5]]) {
          const real: number[] = [];
          for (let h = 0; h < c; h++) {
            const keep = tr.map((_, i) => i).filter((i) => yTr[i] !== h);
            const sc = Array.from({ length: xVa.rows }, (_, i) => kth(dc, i, keep, kc));
            const se = Array.from({ length: xVa.rows }, (_, i) => kth(de, i, keep, ke));
            const inIdx = sc.map((_, i) => i).filter((i) => yVa[i] !== h);
            const q99 = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(0.99 * v.length)];
            const tc = q99(inIdx.map((i) => sc[i]));
            const te = q99(inIdx.map((i) => se[i]));
            const comb = sc.map((v, i) => Math.max(v / tc, se[i] / te));
            const pos: number[] = [], neg: number[] = [];
            comb.forEach((v, i) => (yVa[i] === h ? pos : neg).push(v));
            real.push(auroc(pos, neg));
          }
          const all = tr.map((_, i) => i);
          const sc = Array.from({ length: xVa.rows }, (_, i) => kth(dc, i, all, kc));
          const se = Array.from({ length: xVa.rows }, (_, i) => kth(de, i, all, ke));
          const q99 = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(0.99 * v.length)];
          const tc = q99(sc), te = q99(se);
          const comb = sc.map((v, i) => Math.max(v / tc, se[i] / te));
          const tcomb = q99(comb);
          const phs = Array.from({ length: xPh.rows }, (_, i) => Math.max(kth(pc, i, all, kc) / tc, kth(pe, i, all, ke) / te) / tcomb);
          console.log(`  combo cos k=${kc} + euclid k=${ke}: held-out real ${(real.reduce((x, y) => x + y, 0) / c).toFixed(3)}; photos / p99: ${phs.map((v) => v.toFixed(2)).join(' ')}`);
        }
        continue;
      }
      for (const metric of ['cosine', 'euclid']) {
        const dv = table(a, xVa.rows, metric);
        const dp = table(p, xPh.rows, metric);
        const kth = (d: Float32Array, i: number, keep: number[], kk: number) => keep.map((j) => d[i * nb + j]).sort((x, y) => x - y)[kk - 1];
        for (const kk of [1, 5, 10]) {
          const real: number[] = [];
          for (let h = 0; h < c; h++) {
            const keep = tr.map((_, i) => i).filter((i) => yTr[i] !== h);
            const pos: number[] = [], neg: number[] = [];
            for (let i = 0; i < xVa.rows; i++) (yVa[i] === h ? pos : neg).push(kth(dv, i, keep, kk));
            real.push(auroc(pos, neg));
          }
          const all = tr.map((_, i) => i);
          const inScores = Array.from({ length: xVa.rows }, (_, i) => kth(dv, i, all, kk)).sort((x, y) => x - y);
          const p99 = inScores[Math.floor(0.99 * inScores.length)];
          const phs = Array.from({ length: xPh.rows }, (_, i) => kth(dp, i, all, kk) / p99);
          console.log(`  ${metric} k=${kk}: held-out real ${(real.reduce((x, y) => x + y, 0) / c).toFixed(3)}; photos / p99(val): ${phs.map((v) => v.toFixed(2)).join(' ')}`);
        }
      }
    }
    combined.push(sims.get(true)!);
    for (const [m, spec] of specs.entries()) {
      if (flags.has('combined-only')) break;
      const real: number[] = [];
      for (let h = 0; h < c; h++) {
        const keep = tr.map((_, i) => i).filter((i) => yTr[i] !== h);
        let scores: Float32Array;
        if (spec.method === 'knn') {
          const g = sims.get(spec.standardize)!;
          scores = new Float32Array(xVa.rows);
          for (let i = 0; i < xVa.rows; i++) {
            const row = keep.map((j) => g[i * xTr.rows + j]).sort((p, q) => q - p);
            scores[i] = 1 - row[spec.k - 1];
          }
        } else scores = centroidScores(fitCentroids(subset(xTr, keep), keep.map((i) => yTr[i]), c), xVa);
        const pos: number[] = [];
        const neg: number[] = [];
        scores.forEach((v, i) => (yVa[i] === h ? pos : neg).push(v));
        real.push(auroc(pos, neg));
      }
      const mean = real.reduce((p, q) => p + q, 0) / c;
      console.log(`  ${describeOodMethod(spec).padEnd(24)} simulated ${sim[m].meanAuroc.toFixed(3)}  real ${mean.toFixed(3)}  per class real ${real.map((v) => v.toFixed(2)).join(' ')} sim ${sim[m].heldOutAuroc.map((v) => v.toFixed(2)).join(' ')}`);
    }
    if (flags.has('msp')) {
      // Classifier signals: a logistic regression trained without class h (real), and the proxy (a model trained with
      // every class, h's column dropped and the rest renormalised), then kNN-standardised k=5 + MSP combined by ranks.
      const real: number[] = [];
      const proxy: number[] = [];
      const combo: number[] = [];
      const full = await trainHead({ x: xTr, y: yTr }, c, LR, { seed });
      const pFull = predictHead(full, xVa);
      const gstd = sims.get(true)!;
      for (let h = 0; h < c; h++) {
        const keep = tr.map((_, i) => i).filter((i) => yTr[i] !== h);
        const remap = (l: number) => (l > h ? l - 1 : l);
        const head = await trainHead({ x: subset(xTr, keep), y: Int32Array.from(keep, (i) => remap(yTr[i])) }, c - 1, LR, { seed });
        const p = predictHead(head, xVa);
        const msp = Array.from({ length: xVa.rows }, (_, i) => 1 - Math.max(...p.subarray(i * (c - 1), (i + 1) * (c - 1))));
        const prox = Array.from({ length: xVa.rows }, (_, i) => {
          const row = Array.from(pFull.subarray(i * c, (i + 1) * c)).filter((_, k2) => k2 !== h);
          const z = row.reduce((a, b) => a + b, 0);
          return 1 - Math.max(...row) / z;
        });
        const knn = Array.from({ length: xVa.rows }, (_, i) => 1 - keep.map((j) => gstd[i * xTr.rows + j]).sort((a, b) => b - a)[4]);
        const rank = (v: number[]) => {
          const o = v.map((x, i) => [x, i]).sort((a, b) => a[0] - b[0]);
          const r = new Array<number>(v.length);
          o.forEach(([, i], k2) => (r[i] = k2 / v.length));
          return r;
        };
        const rk = rank(knn);
        const rm = rank(msp);
        const comb = rk.map((v, i) => v + rm[i]);
        const split = (v: number[]) => {
          const pos: number[] = [];
          const neg: number[] = [];
          v.forEach((x, i) => (yVa[i] === h ? pos : neg).push(x));
          return auroc(pos, neg);
        };
        real.push(split(msp));
        proxy.push(split(prox));
        combo.push(split(comb));
      }
      const mean = (v: number[]) => (v.reduce((a, b) => a + b, 0) / v.length).toFixed(3);
      console.log(`  MSP real (LR without h)     ${mean(real)}  per class ${real.map((v) => v.toFixed(2)).join(' ')}`);
      console.log(`  MSP proxy (renormalised)    ${mean(proxy)}  per class ${proxy.map((v) => v.toFixed(2)).join(' ')}`);
      console.log(`  knn5std + MSP real (ranks)  ${mean(combo)}  per class ${combo.map((v) => v.toFixed(2)).join(' ')}`);
    }
  }
  // Several spaces at once: the mean of their standardised cosine similarities, then the k-th neighbour.
  if (combined.length > 1) {
    const nTr = 1000;
    const avg = new Float32Array(combined[0].length);
    for (const g of combined) for (let i = 0; i < avg.length; i++) avg[i] += g[i] / combined.length;
    for (const kk of [1, 5, 10]) {
      const real: number[] = [];
      for (let h = 0; h < c; h++) {
        const keep = tr.map((_, i) => i).filter((i) => yTr[i] !== h);
        const pos: number[] = [];
        const neg: number[] = [];
        for (let i = 0; i < yVa.length; i++) {
          const v = 1 - keep.map((j) => avg[i * nTr + j]).sort((a, b) => b - a)[kk - 1];
          (yVa[i] === h ? pos : neg).push(v);
        }
        real.push(auroc(pos, neg));
      }
      console.log(`combined ${combined.length} spaces, knn k=${kk} std: real ${(real.reduce((a, b) => a + b, 0) / c).toFixed(3)} per class ${real.map((v) => v.toFixed(2)).join(' ')}`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
