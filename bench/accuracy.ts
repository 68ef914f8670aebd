/**
 * Accuracy benchmark: trainClassifier with the service's defaults (automatic plan and selection) on a seeded sample of
 * a dataset's training split, scored on images never trained on. A frozen-features logistic-regression baseline is
 * measured in the same run (MobileNetV2 final 1280-d @96 for Fashion-MNIST, MobileNet-EdgeTPU conv_1 @160 for
 * photos), plus LR on raw pixels for Fashion-MNIST.
 *
 *   npm run bench:accuracy                              # Fashion-MNIST, seeds 1,2,3, 100/class, 10,000 test images
 *   npm run bench:accuracy -- --dataset cifar10-dev     # 100/class train, the other 100/class scored
 *   npm run bench:accuracy -- --quick                   # CI: 20/class, seed 1, 1,000 test images, 25 s budget
 *   flags: --seeds 1,2,3  --per-class 100  --test-limit 10000  --budget <s>  --no-baselines
 *   semi-supervised: --unlabeled N (Fashion-MNIST: N further train-split images given without labels; cifar10-dev: N
 *   per class from the training half) with --labeled K (labelled per class, = --per-class): each seed trains twice on
 *   the same labelled images, without and with the unlabelled ones, and both are scored.
 *     npm run bench:accuracy -- --unlabeled 5000
 *     npm run bench:accuracy -- --dataset cifar10-dev --labeled 50 --unlabeled 50
 *
 * Predict figures are cold: a fresh loader per seed, no embedding cache, test images it has never seen, decoded from
 * encoded files (PNG / JPEG) as a request would be. The test images are only scored, never used for any choice.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createEmbedder } from '../packages/ml/src/embeddings';
import { scorePredictions } from '../packages/ml/src/evaluation';
import { DEFAULT_HEAD_CONFIG, type FeatureMatrix, matrixFromRows, predictHead, trainHead } from '../packages/ml/src/heads';
import { trainClassifier, type TrainingImage } from '../packages/ml/src/pipeline';
import { loadClassifier } from '../packages/ml/src/prediction';
import type { EmbedInput } from '../packages/ml/src/embeddings';
import { listFlag, numberFlag, parseFlags } from './lib/args';
import { benchSplit, type BenchDatasetName, type BenchSplit } from './lib/datasets';
import { formatTable, mean, median, pct } from './lib/table';

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has('quick');
const dataset = (typeof flags.get('dataset') === 'string' ? flags.get('dataset') : 'fashion-mnist') as BenchDatasetName;
if (dataset !== 'fashion-mnist' && dataset !== 'cifar10-dev') throw new Error('--dataset must be fashion-mnist or cifar10-dev');
const seeds = listFlag(flags, 'seeds', quick ? [1] : [1, 2, 3]);
const perClass = numberFlag(flags, 'labeled', numberFlag(flags, 'per-class', quick ? 20 : 100));
const unlabeledN = numberFlag(flags, 'unlabeled', 0);
const testLimit = numberFlag(flags, 'test-limit', quick ? 1000 : 10000);
const budget = flags.has('budget') ? numberFlag(flags, 'budget', 0) : quick ? 25 : undefined;
const baselines = !flags.has('no-baselines');
const LR_BASELINE = { ...DEFAULT_HEAD_CONFIG, kind: 'logistic' as const, l2: 1e-3, learningRate: 3e-3, epochs: 40, patience: 0, validationFraction: 0, labelSmoothing: 0 };

const log = (s: string) => process.stdout.write(`${s}\n`);

function accuracyOf(classes: string[], probs: Float32Array, labels: ArrayLike<number>): { accuracy: number; macroF1: number } {
  const m = scorePredictions({ classes, labels, probabilities: probs, ids: Array.from({ length: labels.length }, (_, i) => String(i)) });
  return { accuracy: m.accuracy, macroF1: m.macroF1 };
}

/** Frozen features of the split's baseline layer + logistic regression: what "just transfer" gives. */
async function frozenBaseline(split: BenchSplit, seed: number): Promise<number> {
  const emb = await createEmbedder({ backbone: split.baseline.backbone, layers: [split.baseline.layer], inputSize: split.baseline.inputSize });
  const trainInputs = await Promise.all(split.train.map(toInput));
  const trF = matrixFromRows(await emb.embed(trainInputs));
  const teF = matrixFromRows(await emb.embed(split.test.inputs));
  await emb.close();
  const y = Int32Array.from(split.train, (img) => split.classes.indexOf(img.label));
  const head = await trainHead({ x: trF, y }, split.classes.length, LR_BASELINE, { seed });
  return accuracyOf(split.classes, predictHead(head, teF), split.test.labels).accuracy;
}

async function toInput(img: TrainingImage): Promise<EmbedInput> {
  if (img.pixels) return { pixels: img.pixels.pixels, width: img.pixels.width, height: img.pixels.height };
  return img.bytes!;
}

function pixelMatrix(imgs: Array<{ pixels: Uint8Array }>): FeatureMatrix {
  return matrixFromRows(imgs.map((x) => Float32Array.from(x.pixels, (v) => v / 255)));
}

/** One training run on the split (with its unlabelled images or not), scored on its test images: a table row. */
async function trainAndScore(split: BenchSplit, seed: number, withUnlabeled: boolean): Promise<Record<string, number | string>> {
  const { classes } = split;
  const tag = split.unlabeled.length ? (withUnlabeled ? ' semi' : ' supervised') : '';
  const t0 = performance.now();
  let lastPhase = '';
  const result = await trainClassifier({
    images: split.train,
    ...(withUnlabeled && split.unlabeled.length ? { unlabeled: split.unlabeled.map(({ label: _l, ...u }) => u) } : {}),
    classes,
    seed,
    settings: budget !== undefined ? { timeBudgetSeconds: budget } : {},
    onProgress: (p) => {
      if (p.phase !== lastPhase) log(`  [seed ${seed}${tag}] ${p.phase}...`);
      lastPhase = p.phase;
    },
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  log(`  [seed ${seed}${tag}] plan: ${result.plan.pool}, estimated ${result.plan.estimatedSeconds.toFixed(0)} s; left out: ${result.plan.skipped.map((s) => s.name).join(', ') || 'none'}`);
  for (const c of result.candidates) log(`  [seed ${seed}${tag}] candidate ${c.name}: cv ${pct(c.cvAccuracy)} (${c.seconds.toFixed(1)} s)`);
  if (result.semiSupervised) log(`  [seed ${seed}${tag}] unlabelled: ${JSON.stringify(result.semiSupervised)}`);
  log(`  [seed ${seed}${tag}] chosen: ${result.chosen.members.join(' + ')}; selection score ${pct(result.chosen.cvAccuracy)}, nested-CV estimate ${pct(result.report.accuracy)}; timings ${JSON.stringify(Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, Number(v.toFixed(1))])))}`);

  // Cold: a fresh loader, no cache; first call, then single images and batches of 20, all never seen before.
  const tLoad = performance.now();
  const clf = await loadClassifier(result.artifact);
  const loadMs = performance.now() - tLoad;
  const n = split.test.count;
  const singles = Math.min(40, n);
  const encoded = await Promise.all(Array.from({ length: Math.min(n, singles + 200) }, (_, i) => split.test.encoded(i)));
  let t = performance.now();
  await clf.predict([encoded[0]]);
  const firstMs = performance.now() - t;
  const single: number[] = [];
  for (let i = 1; i < singles; i++) {
    t = performance.now();
    await clf.predict([encoded[i]]);
    single.push(performance.now() - t);
  }
  const batchTimes: number[] = [];
  for (let i = singles; i + 20 <= encoded.length && batchTimes.length < 8; i += 20) {
    t = performance.now();
    await clf.predict(encoded.slice(i, i + 20));
    batchTimes.push(performance.now() - t);
  }
  const batchImgPerS = (20 * batchTimes.length) / (batchTimes.reduce((a, b) => a + b, 0) / 1000);
  // Accuracy over the whole scored set (batched).
  const probs = new Float32Array(n * classes.length);
  for (let i = 0; i < n; i += 250) {
    const preds = await clf.predict(split.test.inputs.slice(i, i + 250));
    preds.forEach((p, j) => p.prediction.forEach((q) => (probs[(i + j) * classes.length + classes.indexOf(q.label)] = q.probability)));
  }
  await clf.dispose();
  const s = accuracyOf(classes, probs, split.test.labels);
  log(`  [seed ${seed}${tag}] TEST accuracy ${pct(s.accuracy)}, macro-F1 ${pct(s.macroF1)}, train ${trainSeconds.toFixed(1)} s; cold predict: load ${loadMs.toFixed(0)} ms, first image ${firstMs.toFixed(0)} ms, one image p50 ${median(single).toFixed(1)} ms, batch of 20 ${batchImgPerS.toFixed(0)} images/s`);
  return {
    seed, accuracy: s.accuracy, macroF1: s.macroF1, estimate: result.report.accuracy, selection: result.chosen.cvAccuracy, trainSeconds,
    singleMs: median(single), batchImgPerS, chosen: result.chosen.members.join(' + '),
    ...(result.semiSupervised ? { used: result.semiSupervised.used, pseudoLabeled: result.semiSupervised.pseudoLabeled } : {}),
  };
}

async function main() {
  log(`accuracy benchmark (${dataset}), seeds ${seeds.join(',')}${quick ? ' (quick)' : ''}${budget !== undefined ? `, budget ${budget} s` : ''}`);
  const rows: Array<Record<string, number | string>> = [];
  for (const seed of seeds) {
    const split = benchSplit(dataset, seed, { perClass, testLimit, ...(dataset === 'fashion-mnist' ? { unlabeled: unlabeledN } : { unlabeledPerClass: unlabeledN }) });
    const { classes } = split;
    if (seed === seeds[0]) log(split.describe);
    // Semi-supervised runs: the supervised run of the same labelled images first, scored the same way.
    const supervised = split.unlabeled.length ? await trainAndScore(split, seed, false) : undefined;
    const row = await trainAndScore(split, seed, true);
    if (supervised) {
      row.supervised = supervised.accuracy;
      log(`  [seed ${seed}] semi-supervised ${pct(row.accuracy as number)} vs supervised ${pct(supervised.accuracy as number)} (${((row.accuracy as number) - (supervised.accuracy as number) >= 0 ? '+' : '')}${(((row.accuracy as number) - (supervised.accuracy as number)) * 100).toFixed(2)} points); chose ${row.chosen} vs ${supervised.chosen}`);
    }
    if (baselines) {
      row.frozenLr = await frozenBaseline(split, seed);
      if (dataset === 'fashion-mnist') {
        const px = (imgs: TrainingImage[]) => imgs.map((x) => ({ pixels: x.pixels!.pixels }));
        const y = Int32Array.from(split.train, (img) => classes.indexOf(img.label));
        const head = await trainHead({ x: pixelMatrix(px(split.train)), y }, classes.length, LR_BASELINE, { seed });
        row.pixelsLr = accuracyOf(classes, predictHead(head, pixelMatrix(split.test.inputs as Array<{ pixels: Uint8Array }>)), split.test.labels).accuracy;
      }
      log(`  [seed ${seed}] baselines: frozen ${split.baseline.backbone} ${split.baseline.layer} @${split.baseline.inputSize} + LR ${pct(row.frozenLr as number)}${row.pixelsLr !== undefined ? `, LR raw pixels ${pct(row.pixelsLr as number)}` : ''}`);
    }
    rows.push(row);
  }

  const withPixels = baselines && dataset === 'fashion-mnist';
  const semiRuns = unlabeledN > 0;
  const header = ['seed', 'test acc', 'macro-F1', 'nested-CV est.', 'selection score', 'train s', 'one image ms (p50, cold)', 'batch-20 img/s', ...(baselines ? ['frozen LR'] : []), ...(withPixels ? ['LR pixels'] : []), ...(semiRuns ? ['supervised acc', 'gain', 'unlabelled used', 'pseudo-labelled'] : [])];
  const fmt = (r: Record<string, number | string>) => [
    String(r.seed), pct(r.accuracy as number), pct(r.macroF1 as number), pct(r.estimate as number), pct(r.selection as number), (r.trainSeconds as number).toFixed(1),
    (r.singleMs as number).toFixed(1), (r.batchImgPerS as number).toFixed(0), ...(baselines ? [pct(r.frozenLr as number)] : []), ...(withPixels ? [pct(r.pixelsLr as number)] : []),
    ...(semiRuns ? [pct(r.supervised as number), `${((r.accuracy as number) - (r.supervised as number)) * 100 >= 0 ? '+' : ''}${(((r.accuracy as number) - (r.supervised as number)) * 100).toFixed(2)}`, String(Math.round((r.used as number) ?? 0)), String(Math.round((r.pseudoLabeled as number) ?? 0))] : []),
  ];
  const avg: Record<string, number | string> = { seed: 'mean' };
  for (const k of ['accuracy', 'macroF1', 'estimate', 'selection', 'trainSeconds', 'singleMs', 'batchImgPerS', 'frozenLr', 'pixelsLr', ...(semiRuns ? ['supervised', 'used', 'pseudoLabeled'] : [])]) avg[k] = mean(rows.map((r) => r[k] as number));
  log('');
  log(formatTable(header, [...rows.map(fmt), fmt(avg)]));
  for (const r of rows) log(`seed ${r.seed} chose: ${r.chosen}`);

  const outDir = resolve(__dirname, 'out');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `accuracy-${dataset}-${quick ? 'quick' : 'full'}${semiRuns ? `-unlabeled${unlabeledN}` : ''}.json`);
  writeFileSync(file, JSON.stringify({ dataset, perClass, ...(semiRuns ? { unlabeled: unlabeledN } : {}), seeds, rows, mean: avg }, null, 2));
  log(`\nwritten ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
