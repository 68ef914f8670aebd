/**
 * Development probe for "label these next": on features cached by semi-probe.ts (Fashion-MNIST train split only),
 * start from 10/class labelled out of the 6,000 labelled+unlabelled images, add 100 labels a round by each strategy,
 * retrain a logistic-regression head, and score on the probe's validation images (train split, never the test set).
 *   npx tsx bench/dev/active-probe.ts --seed 1 --set v2@96:b3-16 --strategies random,margin,badge
 */
import { readFileSync } from 'node:fs';
import { loadFashionMnist, sampleStratified } from '../../packages/ml/src/datasets/fashion-mnist';
import { DEFAULT_HEAD_CONFIG, type HeadConfig } from '../../packages/ml/src/heads/types';
import { selectRows, type FeatureMatrix } from '../../packages/ml/src/heads/matrix';
import { createRng, deriveSeed, shuffleInPlace } from '../../packages/ml/src/random';
import { fitFeatureHead, predictWithTta, type ImageFeatureSet } from '../../packages/ml/src/selection/feature-head-candidate';
import { gradientEmbedding } from '../../packages/ml/src/active/gradient-embedding';
import { diverseOrder } from '../../packages/ml/src/active/diverse-order';
import { applyStandardizer, fitStandardizer } from '../../packages/ml/src/heads/standardizer';
import { parseFlags, numberFlag } from '../lib/args';
import { unitRows } from '../../packages/ml/src/neighbours/cosine-neighbours';

const flags = parseFlags(process.argv.slice(2));
const seed = numberFlag(flags, 'seed', 1);
const setName = String(flags.get('set') ?? 'v2@96:b3-16');
const strategies = String(flags.get('strategies') ?? 'random,margin,badge').split(',');
const rounds = numberFlag(flags, 'rounds', 5);
const C = 10;
const LR: HeadConfig = { ...DEFAULT_HEAD_CONFIG, kind: 'logistic', learningRate: 1e-2, batchSize: 512, epochs: 25, patience: 0, validationFraction: 0, labelSmoothing: 0, l2: 1e-2 };

function load(): { set: ImageFeatureSet; labels: Int32Array; pool: number[]; V: number[] } {
  const train = loadFashionMnist('train');
  const idx = sampleStratified(train.labels, 100, seed);
  const taken = new Set(idx);
  const rest = Array.from({ length: train.count }, (_, i) => i).filter((i) => !taken.has(i));
  shuffleInPlace(rest, createRng(deriveSeed(seed, 'unlabeled')));
  const all = [...idx, ...rest.slice(0, 5000), ...rest.slice(5000, 7000)];
  const labels = Int32Array.from(all, (i) => train.labels[i]);
  const file = (v: number) => `/tmp/semi-probe/${setName.replace(/[^a-z0-9@+-]/gi, '_')}-s${seed}-u5000-v2000-view${v}.f32`;
  const views = [0, 1].map((v) => {
    const data = new Float32Array(readFileSync(file(v)).buffer.slice(0));
    return { rows: all.length, dim: data.length / all.length, data } as FeatureMatrix;
  });
  return { set: { name: setName, views }, labels, pool: Array.from({ length: 6000 }, (_, i) => i), V: Array.from({ length: 2000 }, (_, i) => 6000 + i) };
}

async function main() {
  const { set, labels, pool, V } = load();
  const recipe = { featureSet: set.name, head: LR, trainViews: 2, ttaViews: 2 };
  // 10 per class to start, seeded.
  const start = sampleStratified(Int32Array.from(pool, (r) => labels[r]), 10, deriveSeed(seed, 'active-start')).map((i) => pool[i]);
  const acc = (p: Float32Array) => V.filter((r, i) => argmax(p, i) === labels[r]).length / V.length;
  const table: Record<string, number[]> = {};
  for (const strategy of strategies) {
    let labelled = [...start];
    const rng = createRng(deriveSeed(seed, `active:${strategy}`));
    table[strategy] = [];
    for (let round = 0; round <= rounds; round++) {
      const head = await fitFeatureHead(recipe, set, labels, labelled, C, deriveSeed(seed, `r${round}`));
      table[strategy].push(acc(predictWithTta(head, set, V, 2)));
      if (round === rounds) break;
      const inL = new Set(labelled);
      const U = pool.filter((r) => !inL.has(r));
      const p = predictWithTta(head, set, U, 2);
      let picks: number[];
      if (strategy === 'random') {
        const order = [...U];
        shuffleInPlace(order, rng);
        picks = order.slice(0, 100);
      } else if (strategy === 'margin') {
        picks = U.map((r, i) => ({ r, m: margin(p, i) })).sort((a, b) => a.m - b.m).slice(0, 100).map((x) => x.r);
      } else if (strategy.startsWith('marginsup') || strategy.startsWith('clustermargin') || strategy.startsWith('typmargin')) {
        const raw = selectRows(set.views[0], U);
        const z = unitRows(applyStandardizer(raw, fitStandardizer(selectRows(set.views[0], labelled))), new Float32Array(raw.dim));
        const m = U.map((_, i) => margin(p, i));
        if (strategy.startsWith('marginsup')) {
          // lowest margin first, skipping images too similar to one already picked
          const tau = Number(strategy.slice(9) || 0.8);
          const order = U.map((_, i) => i).sort((a, b) => m[a] - m[b]);
          const chosen: number[] = [];
          for (const i of order) {
            if (chosen.length >= 100) break;
            let ok = true;
            for (const j of chosen) {
              let d = 0;
              for (let k = 0; k < z.dim; k++) d += z.data[i * z.dim + k] * z.data[j * z.dim + k];
              if (d >= tau) { ok = false; break; }
            }
            if (ok) chosen.push(i);
          }
          picks = chosen.map((i) => U[i]);
        } else if (strategy.startsWith('typmargin')) {
          // TypiClust-like: k-means into |L| + 100 clusters over the whole pool + labelled; in each of the 100 largest
          // clusters without a labelled image, the image with the best mix of typicality (density) and low margin.
          const allRows = [...labelled, ...U];
          const rawAll = selectRows(set.views[0], allRows);
          const za = unitRows(applyStandardizer(rawAll, fitStandardizer(selectRows(set.views[0], labelled))), new Float32Array(rawAll.dim));
          const K = labelled.length + 100;
          const km = kmeans(za, Math.min(K, 400), rng);
          const hasLabel = new Set<number>();
          labelled.forEach((_, i) => hasLabel.add(km[i]));
          const members = new Map<number, number[]>();
          U.forEach((_, i) => { const c = km[labelled.length + i]; members.set(c, [...(members.get(c) ?? []), i]); });
          const clusters = [...members.entries()].filter(([c]) => !hasLabel.has(c)).sort((a, b) => b[1].length - a[1].length);
          const wU = Number(strategy.slice(9) || 0.5);
          const chosen: number[] = [];
          for (const [, mem] of clusters) {
            if (chosen.length >= 100) break;
            // typicality: mean cosine to the cluster's members (cheap proxy of density)
            let best = mem[0];
            let bestScore = -Infinity;
            for (const i of mem) {
              let sim = 0;
              for (const j of mem) { let d = 0; for (let k = 0; k < z.dim; k++) d += z.data[i * z.dim + k] * z.data[j * z.dim + k]; sim += d; }
              const score = (1 - wU) * (sim / mem.length) + wU * (1 - m[i]);
              if (score > bestScore) { bestScore = score; best = i; }
            }
            chosen.push(best);
          }
          // fill up by margin
          const inC = new Set(chosen);
          for (const i of U.map((_, i) => i).sort((a, b) => m[a] - m[b])) { if (chosen.length >= 100) break; if (!inC.has(i)) chosen.push(i); }
          picks = chosen.map((i) => U[i]);
        } else {
          // k-means (100 clusters) on the pool, then the lowest-margin image of each cluster
          const km = kmeans(z, 100, rng);
          const best = new Map<number, number>();
          U.forEach((_, i) => {
            const c = km[i];
            const cur = best.get(c);
            const key = strategy.startsWith('typmargin') ? m[i] : m[i];
            if (cur === undefined || key < m[cur]) best.set(c, i);
          });
          picks = [...best.values()].map((i) => U[i]);
        }
      } else {
        const raw = selectRows(set.views[0], U);
        const h = applyStandardizer(raw, fitStandardizer(selectRows(set.views[0], labelled)));
        const g = gradientEmbedding(p, h, C);
        picks = diverseOrder(g, 100, rng).map((i) => U[i]);
      }
      labelled = [...labelled, ...picks];
    }
    console.log(`${strategy.padEnd(8)} ${table[strategy].map((a) => (a * 100).toFixed(2)).join('  ')}`);
  }
}

function kmeans(z: FeatureMatrix, k: number, rng: ReturnType<typeof createRng>): Int32Array {
  const n = z.rows;
  const d = z.dim;
  const centers = new Float32Array(k * d);
  const idx = Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(idx, rng);
  for (let c = 0; c < k; c++) centers.set(z.data.subarray(idx[c] * d, (idx[c] + 1) * d), c * d);
  const assign = new Int32Array(n);
  for (let it = 0; it < 10; it++) {
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bs = -Infinity;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += z.data[i * d + j] * centers[c * d + j];
        if (s > bs) { bs = s; best = c; }
      }
      assign[i] = best;
    }
    centers.fill(0);
    const cnt = new Int32Array(k);
    for (let i = 0; i < n; i++) { cnt[assign[i]]++; for (let j = 0; j < d; j++) centers[assign[i] * d + j] += z.data[i * d + j]; }
    for (let c = 0; c < k; c++) {
      let norm = 0;
      for (let j = 0; j < d; j++) norm += centers[c * d + j] ** 2;
      const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let j = 0; j < d; j++) centers[c * d + j] *= s;
    }
  }
  return assign;
}

const argmax = (p: Float32Array, i: number) => {
  let b = 0;
  for (let c = 1; c < C; c++) if (p[i * C + c] > p[i * C + b]) b = c;
  return b;
};
function margin(p: Float32Array, i: number) {
  const row = Array.from(p.subarray(i * C, (i + 1) * C)).sort((a, b) => b - a);
  return row[0] - row[1];
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
