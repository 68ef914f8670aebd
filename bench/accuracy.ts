/**
 * Accuracy benchmark: Fashion-MNIST, N images per class sampled (seeded) from the official train set, trained through
 * trainClassifier with automatic selection, scored on the official test set (all 10,000 by default). Baselines in
 * the same run: logistic regression on raw pixels and on frozen MobileNetV2 final (1280-d) features.
 *
 *   npm run bench:accuracy                       # seeds 1,2,3, 100/class, 10,000 test images
 *   npm run bench:accuracy -- --quick            # CI: 20/class, seed 1, 1,000 test images
 *   flags: --seeds 1,2,3  --per-class 100  --test-limit 10000  --budget <search seconds>  --no-baselines
 *
 * The test set is only scored, never used for any choice.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { FASHION_MNIST_CLASSES, imageAt, loadFashionMnist, sampleStratified } from '../packages/ml/src/datasets';
import { createEmbedder, MemoryEmbeddingCache } from '../packages/ml/src/embeddings';
import { scorePredictions } from '../packages/ml/src/evaluation';
import { DEFAULT_HEAD_CONFIG, type FeatureMatrix, matrixFromRows, predictHead, trainHead } from '../packages/ml/src/heads';
import { trainClassifier } from '../packages/ml/src/pipeline';
import { loadClassifier } from '../packages/ml/src/prediction';
import { listFlag, numberFlag, parseFlags } from './lib/args';
import { fashionTrainingImages, greyInputs } from './lib/fashion-inputs';
import { formatTable, mean, median, pct } from './lib/table';

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has('quick');
const seeds = listFlag(flags, 'seeds', quick ? [1] : [1, 2, 3]);
const perClass = numberFlag(flags, 'per-class', quick ? 20 : 100);
const testLimit = numberFlag(flags, 'test-limit', quick ? 1000 : 10000);
const budget = flags.has('budget') ? numberFlag(flags, 'budget', 0) : quick ? 25 : undefined;
const baselines = !flags.has('no-baselines');
const classes: string[] = [...FASHION_MNIST_CLASSES];
const LR_BASELINE = { ...DEFAULT_HEAD_CONFIG, kind: 'logistic' as const, l2: 1e-3, learningRate: 3e-3, epochs: 40, patience: 0, validationFraction: 0, labelSmoothing: 0 };

const log = (s: string) => process.stdout.write(`${s}\n`);

function accuracyOf(probs: Float32Array, labels: ArrayLike<number>): { accuracy: number; macroF1: number } {
  const m = scorePredictions({ classes, labels, probabilities: probs, ids: Array.from({ length: labels.length }, (_, i) => String(i)) });
  return { accuracy: m.accuracy, macroF1: m.macroF1 };
}

function pixelMatrix(set: ReturnType<typeof loadFashionMnist>, idx: number[]): FeatureMatrix {
  return matrixFromRows(idx.map((i) => Float32Array.from(imageAt(set, i), (v) => v / 255)));
}

async function main() {
  const train = loadFashionMnist('train');
  const test = loadFashionMnist('test');
  const testIdx = Array.from({ length: Math.min(testLimit, test.count) }, (_, i) => i);
  const testLabels = Int32Array.from(testIdx, (i) => test.labels[i]);
  const testInputs = greyInputs(test, testIdx);
  // Test embeddings are shared across seeds when the chosen feature sets coincide.
  const cache = new MemoryEmbeddingCache(400_000);
  log(`Fashion-MNIST accuracy benchmark: ${perClass}/class from the official train set, seeds ${seeds.join(',')}, ${testIdx.length} official test images${quick ? ' (quick)' : ''}`);

  const rows: Array<Record<string, number | string>> = [];
  for (const seed of seeds) {
    const trainIdx = sampleStratified(train.labels, perClass, seed);
    const images = fashionTrainingImages(train, trainIdx, 'train');
    const t0 = performance.now();
    let lastPhase = '';
    const result = await trainClassifier({
      images,
      classes,
      seed,
      settings: budget !== undefined ? { searchBudgetSeconds: budget } : {},
      onProgress: (p) => {
        if (p.phase !== lastPhase) log(`  [seed ${seed}] ${p.phase}...`);
        lastPhase = p.phase;
      },
    });
    const trainSeconds = (performance.now() - t0) / 1000;
    for (const c of result.candidates) log(`  [seed ${seed}] candidate ${c.name}: cv ${pct(c.cvAccuracy)} (${c.seconds.toFixed(1)} s)`);
    if (result.skippedCandidates.length) log(`  [seed ${seed}] skipped (budget): ${result.skippedCandidates.join(', ')}`);
    log(`  [seed ${seed}] chosen: ${result.chosen.members.join(' + ')} (cv ${pct(result.chosen.cvAccuracy)}); timings ${JSON.stringify(Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, Number(v.toFixed(1))])))}`);

    const clf = await loadClassifier(result.artifact, { cache });
    const tPred = performance.now();
    const probs = new Float32Array(testIdx.length * classes.length);
    for (let i = 0; i < testIdx.length; i += 250) {
      const preds = await clf.predict(testInputs.slice(i, i + 250));
      preds.forEach((p, j) => p.prediction.forEach((q) => (probs[(i + j) * classes.length + classes.indexOf(q.label)] = q.probability)));
    }
    const batchMsPerImage = (performance.now() - tPred) / testIdx.length;
    // Single-image latency on encoded PNG files, in-process, after warm-up (what one API request costs).
    const pngs = await Promise.all(testIdx.slice(0, 31).map((i) => sharp(Buffer.from(imageAt(test, i)), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer()));
    await clf.predict([pngs[30]]);
    const single: number[] = [];
    for (const png of pngs.slice(0, 30)) {
      const t = performance.now();
      await clf.predict([png]);
      single.push(performance.now() - t);
    }
    const oodRate = (await clf.predict(pngs)).filter((p) => p.outOfDistribution).length / pngs.length;
    await clf.dispose();
    const s = accuracyOf(probs, testLabels);
    log(`  [seed ${seed}] TEST accuracy ${pct(s.accuracy)}, macro-F1 ${pct(s.macroF1)}, train ${trainSeconds.toFixed(1)} s, predict ${median(single).toFixed(1)} ms/image (single, median) ${batchMsPerImage.toFixed(2)} ms/image (batched), OOD flagged on ${pct(oodRate)} of 31 test PNGs`);

    const row: Record<string, number | string> = { seed, accuracy: s.accuracy, macroF1: s.macroF1, cvAccuracy: result.chosen.cvAccuracy, trainSeconds, singleMs: median(single), batchMs: batchMsPerImage, chosen: result.chosen.members.join(' + ') };

    if (baselines) {
      const pxHead = await trainHead({ x: pixelMatrix(train, trainIdx), y: Int32Array.from(trainIdx, (i) => train.labels[i]) }, 10, LR_BASELINE, { seed });
      row.rawPixelsLr = accuracyOf(predictHead(pxHead, pixelMatrix(test, testIdx)), testLabels).accuracy;
      const emb = await createEmbedder({ layers: ['pool_conv_1'], inputSize: 96, cache });
      const trF = matrixFromRows(await emb.embed(greyInputs(train, trainIdx)));
      const teF = matrixFromRows(await emb.embed(testInputs));
      await emb.close();
      const fHead = await trainHead({ x: trF, y: Int32Array.from(trainIdx, (i) => train.labels[i]) }, 10, LR_BASELINE, { seed });
      row.mobilenetFinalLr = accuracyOf(predictHead(fHead, teF), testLabels).accuracy;
      log(`  [seed ${seed}] baselines: LR raw pixels ${pct(row.rawPixelsLr as number)}, LR MobileNetV2 final 1280-d @96 ${pct(row.mobilenetFinalLr as number)}`);
    }
    rows.push(row);
  }

  const header = ['seed', 'test acc', 'macro-F1', 'cv acc', 'train s', 'predict ms/img', 'batched ms/img', ...(baselines ? ['LR pixels', 'LR MNv2 final'] : [])];
  const fmt = (r: Record<string, number | string>) => [
    String(r.seed), pct(r.accuracy as number), pct(r.macroF1 as number), pct(r.cvAccuracy as number), (r.trainSeconds as number).toFixed(1),
    (r.singleMs as number).toFixed(1), (r.batchMs as number).toFixed(2), ...(baselines ? [pct(r.rawPixelsLr as number), pct(r.mobilenetFinalLr as number)] : []),
  ];
  const avg: Record<string, number | string> = { seed: 'mean' };
  for (const k of ['accuracy', 'macroF1', 'cvAccuracy', 'trainSeconds', 'singleMs', 'batchMs', 'rawPixelsLr', 'mobilenetFinalLr']) avg[k] = mean(rows.map((r) => r[k] as number));
  log('');
  log(formatTable(header, [...rows.map(fmt), fmt(avg)]));
  for (const r of rows) log(`seed ${r.seed} chose: ${r.chosen}`);

  const outDir = resolve(__dirname, 'out');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `accuracy-${quick ? 'quick' : 'full'}.json`);
  writeFileSync(file, JSON.stringify({ perClass, seeds, testImages: testIdx.length, rows, mean: avg }, null, 2));
  log(`\nwritten ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
