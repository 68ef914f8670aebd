/**
 * Dataset-audit benchmark (#17): Fashion-MNIST, a seeded sample per class from the official train split, 5% of the
 * labels flipped to another class (seeded), trained by trainClassifier with the service's defaults; the run's audit
 * (result.insights, as the worker stores it) is scored against the flips: the share of flipped images among the
 * top-50 label errors (recall; target >= 70%) and that list's precision, and how often its suggested label is the
 * true one.
 *
 *   npm run bench:audit                       # seeds 1,2,3, 100/class, 5% flipped, service defaults (150 s budget)
 *   npm run bench:audit -- --quick            # 20/class, seed 1, 25 s budget
 *   flags: --seeds 1,2,3  --per-class 100  --flip 0.05  --top 50  --budget <s>
 *   FASHION_MNIST_DIR=<dir with the idx .gz files> (default ../shared/datasets/fashion-mnist)
 */
import { createRng, deriveSeed, shuffleInPlace } from '../packages/ml/src/random';
import { trainClassifier } from '../packages/ml/src/pipeline';
import { listFlag, numberFlag, parseFlags } from './lib/args';
import { benchSplit } from './lib/datasets';
import { formatTable, mean, pct } from './lib/table';

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has('quick');
const seeds = listFlag(flags, 'seeds', quick ? [1] : [1, 2, 3]);
const perClass = numberFlag(flags, 'per-class', quick ? 20 : 100);
const flipShare = numberFlag(flags, 'flip', 0.05);
const top = numberFlag(flags, 'top', 50);
const budget = flags.has('budget') ? numberFlag(flags, 'budget', 0) : quick ? 25 : undefined;

const log = (s: string) => process.stdout.write(`${s}\n`);

async function main() {
  log(`audit benchmark (Fashion-MNIST), seeds ${seeds.join(',')}, ${perClass}/class, ${pct(flipShare)} of labels flipped, top ${top}${quick ? ' (quick)' : ''}${budget !== undefined ? `, budget ${budget} s` : ', service defaults'}`);
  const rows: Array<Record<string, number | string>> = [];
  for (const seed of seeds) {
    const split = benchSplit('fashion-mnist', seed, { perClass, testLimit: 0 });
    const { classes } = split;
    // Flip: a seeded share of the images, each to a class drawn uniformly among the other classes.
    const rng = createRng(deriveSeed(seed, 'audit:flip'));
    const order = split.train.map((_, i) => i);
    shuffleInPlace(order, rng);
    const flips = new Map<string, string>(); // image id -> its true label
    const images = split.train.map((img) => ({ ...img }));
    for (const i of order.slice(0, Math.round(flipShare * images.length))) {
      const truth = images[i].label;
      const others = classes.filter((c) => c !== truth);
      images[i].label = others[rng.int(others.length)];
      flips.set(images[i].id, truth);
    }
    const t0 = performance.now();
    const result = await trainClassifier({ images, classes, seed, settings: budget !== undefined ? { timeBudgetSeconds: budget } : {} });
    const seconds = (performance.now() - t0) / 1000;
    if (!result.insights) throw new Error(`seed ${seed}: no insights (${result.insightsError ?? 'disabled'})`);
    const errors = result.insights.audit.audit.labelErrors;
    const list = errors.slice(0, top);
    const hits = list.filter((e) => flips.has(e.imageId));
    const rightSuggestion = hits.filter((e) => e.suggestedLabel === flips.get(e.imageId)).length;
    rows.push({
      seed,
      images: images.length,
      flipped: flips.size,
      listed: list.length,
      found: hits.length,
      'recall@top': pct(hits.length / flips.size),
      precision: pct(list.length ? hits.length / list.length : 0),
      'suggested = true label': `${rightSuggestion}/${hits.length}`,
      'all errors listed': errors.length,
      'recall (all)': pct(errors.filter((e) => flips.has(e.imageId)).length / flips.size),
      'cv accuracy': pct(result.chosen.cvAccuracy),
      'insights s': (result.timings.insightsSeconds ?? 0).toFixed(1),
      'run s': seconds.toFixed(0),
    });
    log(table(rows.slice(-1)));
  }
  log('');
  log(table(rows));
  const recall = mean(rows.map((r) => Number(r.found) / Number(r.flipped)));
  const precision = mean(rows.map((r) => (Number(r.listed) ? Number(r.found) / Number(r.listed) : 0)));
  log(`mean over ${rows.length} seed(s): recall of the flipped labels in the top ${top} ${pct(recall)} (target >= 70%), precision ${pct(precision)}`);
}

function table(rows: Array<Record<string, number | string>>): string {
  const header = Object.keys(rows[0]);
  return formatTable(header, rows.map((r) => header.map((h) => r[h])));
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
