/**
 * Trust benchmark: are the probabilities calibrated, is "not sure" right about the labels it keeps, does the OOD
 * score tell unknown images apart? Every choice (temperature, thresholds, detector and its threshold) is made by
 * trainClassifier on the training images alone; the scored images below are only scored.
 *
 *   npm run bench:trust                 # seeds 1-3: Fashion-MNIST 100/class (10,000 test images), cifar10-dev
 *                                       # 100/class, and Fashion-MNIST without one class, for three classes
 *   npm run bench:trust -- --quick      # CI: seed 1, 20/class, small test sets, 20 s budgets, one held-out class
 *   flags: --seeds 1,2,3  --per-class 100  --test-limit 10000  --budget <s>  --held-out 0,5,8  --skip fashion,cifar,held-out
 *
 * 1. Calibration: ECE of the Fashion-MNIST model's test predictions before (temperature undone) and after.
 * 2. OOD: AUROC of the Fashion-MNIST model's OOD score, Fashion test images (known) vs cifar10-dev photos (unknown);
 *    of a cifar10-dev model, its own scored photos vs Fashion-MNIST test images.
 * 3. The hard case: a Fashion-MNIST model trained without class h; its test images of h (unknown) vs the other test
 *    images. The held-out classes are the first of each of Fashion-MNIST's three kinds, in label order: a top
 *    (T-shirt/top, 0), footwear (Sandal, 5), an accessory (Bag, 8) — fixed before any of them was measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FASHION_MNIST_CLASSES } from '../packages/ml/src/datasets';
import { calibrationOf } from '../packages/ml/src/evaluation/metrics';
import type { EmbedInput } from '../packages/ml/src/embeddings';
import { trainClassifier, type TrainClassifierResult } from '../packages/ml/src/pipeline';
import { loadClassifier } from '../packages/ml/src/prediction';
import { applyTemperature, auroc } from '../packages/ml/src/trust';
import { listFlag, numberFlag, parseFlags } from './lib/args';
import { benchSplit, type BenchSplit } from './lib/datasets';
import { formatTable, mean, pct } from './lib/table';

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has('quick');
const seeds = listFlag(flags, 'seeds', quick ? [1] : [1, 2, 3]);
const perClass = numberFlag(flags, 'per-class', quick ? 20 : 100);
const testLimit = numberFlag(flags, 'test-limit', quick ? 500 : 10000);
const oodLimit = quick ? 300 : 2000;
const budget = flags.has('budget') ? numberFlag(flags, 'budget', 0) : quick ? 20 : undefined;
const heldOut = listFlag(flags, 'held-out', quick ? [8] : [0, 5, 8]);
const skip = new Set(typeof flags.get('skip') === 'string' ? (flags.get('skip') as string).split(',') : []);
const log = (s: string) => process.stdout.write(`${s}\n`);

interface Scored {
  /** Calibrated probabilities as served, and with the temperature undone (images x classes). */
  probs: Float32Array;
  raw: Float32Array;
  ood: Float32Array;
  uncertain: Uint8Array;
}

async function train(split: Pick<BenchSplit, 'train' | 'classes'>, seed: number, tag: string): Promise<TrainClassifierResult> {
  const t0 = performance.now();
  const r = await trainClassifier({ images: split.train, classes: split.classes, seed, settings: budget !== undefined ? { timeBudgetSeconds: budget } : {} });
  const t = r.report.trust!;
  log(
    `  [${tag}] trained in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${r.chosen.members.join(' + ')}; ` +
      `out-of-fold: accuracy ${pct(r.report.accuracy)}, ECE ${pct(t.calibration.before.ece)} -> ${pct(t.calibration.after.ece)} (T = ${t.calibration.temperature.toFixed(2)}), ` +
      `sure ${pct(t.notSure.coverage)} at precision ${t.notSure.precision === null ? '-' : pct(t.notSure.precision)}, ` +
      `OOD ${t.ood.method} on ${t.ood.featureSet}: held-out-class AUROC ${t.ood.heldOutClassAuroc.toFixed(3)}`,
  );
  return r;
}

/** Predicts in batches through the loaded classifier, as the service does. */
async function score(result: TrainClassifierResult, inputs: EmbedInput[]): Promise<Scored> {
  const clf = await loadClassifier(result.artifact);
  const { classes } = clf;
  const c = classes.length;
  const probs = new Float32Array(inputs.length * c);
  const ood = new Float32Array(inputs.length);
  const uncertain = new Uint8Array(inputs.length);
  try {
    for (let i = 0; i < inputs.length; i += 200) {
      const preds = await clf.predict(inputs.slice(i, i + 200));
      preds.forEach((p, j) => {
        p.prediction.forEach((q) => (probs[(i + j) * c + classes.indexOf(q.label)] = q.probability));
        ood[i + j] = p.oodScore;
        uncertain[i + j] = p.uncertain ? 1 : 0;
      });
    }
  } finally {
    await clf.dispose();
  }
  const t = result.artifact.manifest.calibration?.temperature ?? 1;
  // softmax(log p / T) undone: p^T renormalised gives back the averaged probabilities.
  return { probs, raw: applyTemperature(probs, c, 1 / t), ood, uncertain };
}

function sureFigures(s: Scored, labels: Int32Array, c: number) {
  let sure = 0;
  let sureHit = 0;
  for (let i = 0; i < labels.length; i++) {
    if (s.uncertain[i]) continue;
    sure++;
    let k = 0;
    for (let j = 1; j < c; j++) if (s.probs[i * c + j] > s.probs[i * c + k]) k = j;
    if (k === labels[i]) sureHit++;
  }
  return { coverage: sure / labels.length, precision: sure ? sureHit / sure : NaN };
}

async function main() {
  log(`trust benchmark, seeds ${seeds.join(',')}${quick ? ' (quick)' : ''}${budget !== undefined ? `, budget ${budget} s` : ''}; held-out classes ${heldOut.join(',')}`);
  const rows: Array<Record<string, number>> = [];
  for (const seed of seeds) {
    const row: Record<string, number> = { seed };
    const fashion = benchSplit('fashion-mnist', seed, { perClass, testLimit });
    const cifar = benchSplit('cifar10-dev', seed, { perClass: Math.min(perClass, 100), testLimit: oodLimit });
    if (seed === seeds[0]) log(`${fashion.describe}\n${cifar.describe}`);
    const fashionOod = fashion.test.inputs.slice(0, oodLimit);

    if (!skip.has('fashion')) {
      const model = await train(fashion, seed, `seed ${seed} fashion`);
      const known = await score(model, fashion.test.inputs);
      const c = fashion.classes.length;
      row.eceBefore = calibrationOf(known.raw, fashion.test.labels, c).ece;
      row.eceAfter = calibrationOf(known.probs, fashion.test.labels, c).ece;
      row.eceOofAfter = model.report.trust!.calibration.after.ece;
      const sure = sureFigures(known, fashion.test.labels, c);
      row.sureCoverage = sure.coverage;
      row.surePrecision = sure.precision;
      const photos = await score(model, cifar.test.inputs);
      row.aurocFashionVsPhotos = auroc(photos.ood, known.ood);
      row.flaggedKnown = known.ood.filter((v) => v > 1).length / known.ood.length;
      row.flaggedPhotos = photos.ood.filter((v) => v > 1).length / photos.ood.length;
      log(`  [seed ${seed} fashion] TEST: ECE ${pct(row.eceBefore)} -> ${pct(row.eceAfter)}; sure ${pct(sure.coverage)} at precision ${pct(sure.precision)} (target ${model.report.trust!.notSure.targetPrecision}); OOD AUROC vs ${cifar.test.count} photos ${row.aurocFashionVsPhotos.toFixed(4)} (flagged: known ${pct(row.flaggedKnown)}, photos ${pct(row.flaggedPhotos)})`);
    }

    if (!skip.has('cifar')) {
      const model = await train(cifar, seed, `seed ${seed} cifar10-dev`);
      const known = await score(model, cifar.test.inputs);
      const garments = await score(model, fashionOod);
      row.cifarEceAfter = calibrationOf(known.probs, cifar.test.labels, cifar.classes.length).ece;
      row.aurocCifarVsFashion = auroc(garments.ood, known.ood);
      log(`  [seed ${seed} cifar10-dev] TEST: ECE ${pct(calibrationOf(known.raw, cifar.test.labels, cifar.classes.length).ece)} -> ${pct(row.cifarEceAfter)}; OOD AUROC vs ${fashionOod.length} Fashion-MNIST images ${row.aurocCifarVsFashion.toFixed(4)}`);
    }

    if (!skip.has('held-out')) {
      const figures: number[] = [];
      const estimates: number[] = [];
      for (const h of heldOut) {
        const label = fashion.classes[h];
        const split = { classes: fashion.classes.filter((_, k) => k !== h), train: fashion.train.filter((im) => im.label !== label) };
        const model = await train(split, seed, `seed ${seed} without ${label}`);
        const s = await score(model, fashion.test.inputs);
        const unknown: number[] = [];
        const known: number[] = [];
        fashion.test.labels.forEach((y, i) => (y === h ? unknown : known).push(s.ood[i]));
        const a = auroc(unknown, known);
        figures.push(a);
        estimates.push(model.report.trust!.ood.heldOutClassAuroc);
        row[`heldOut${h}`] = a;
        log(`  [seed ${seed} without ${label}] TEST: ${label} as unknown, AUROC ${a.toFixed(4)} (the version's own held-out-class estimate ${model.report.trust!.ood.heldOutClassAuroc.toFixed(3)})`);
      }
      row.heldOutMean = mean(figures);
      row.heldOutEstimate = mean(estimates);
    }
    rows.push(row);
  }

  const cols: Array<[string, string, (v: number) => string]> = [
    ['eceBefore', 'Fashion ECE before', pct],
    ['eceAfter', 'ECE after (target <= 3%)', pct],
    ['surePrecision', 'sure: precision', pct],
    ['sureCoverage', 'sure: share', pct],
    ['aurocFashionVsPhotos', 'OOD AUROC Fashion vs photos', (v) => v.toFixed(4)],
    ['aurocCifarVsFashion', 'OOD AUROC cifar vs Fashion', (v) => v.toFixed(4)],
    ...heldOut.map((h): [string, string, (v: number) => string] => [`heldOut${h}`, `without ${FASHION_MNIST_CLASSES[h]}`, (v) => v.toFixed(4)]),
    ['heldOutMean', 'held-out mean (target >= 0.85)', (v) => v.toFixed(4)],
    ['heldOutEstimate', 'its own estimate', (v) => v.toFixed(3)],
  ];
  const present = cols.filter(([k]) => rows.some((r) => r[k] !== undefined));
  const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
  const cell = (r: Record<string, number>, [k, , f]: (typeof cols)[number]) => (r[k] === undefined || Number.isNaN(r[k]) ? '-' : f(r[k]));
  const table = [
    ...rows.map((r) => [String(r.seed), ...present.map((col) => cell(r, col))]),
    ['mean ± sd', ...present.map(([k, , f]) => {
      const xs = rows.map((r) => r[k]).filter((v) => v !== undefined && !Number.isNaN(v));
      return xs.length ? `${f(mean(xs))} ± ${f(sd(xs)).replace('%', '')}` : '-';
    })],
  ];
  log('');
  log(formatTable(['seed', ...present.map(([, h]) => h)], table));

  const outDir = resolve(__dirname, 'out');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `trust-${quick ? 'quick' : 'full'}.json`);
  writeFileSync(file, JSON.stringify({ seeds, perClass, testLimit, heldOut, rows }, null, 2));
  log(`\nwritten ${file}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
