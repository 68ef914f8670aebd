/**
 * Active-learning benchmark (#17 item 3, "label these next"): Fashion-MNIST, 10 labelled images per class to start
 * (seeded), a 5,000-image unlabelled pool from the official train split, then rounds of +100 labels, retrained every
 * round. Each round the next 100 come either from the service's own ranking (rankSuggestions: BADGE, the function
 * GET /v1/models/:id/suggestions serves, given the model's probabilities for the unlabelled images, their features,
 * the labelled images' features, n and the seed, as datasetInsights calls it) or from a seeded random draw; both arms
 * start from the same labelled set and are scored on the official test split at every round (equal label counts).
 * Target: suggestions >= 2 points above random from round 2 on.
 *
 * Simplified relative to a full service retrain (to embed once and keep a round to seconds):
 *  - frozen features: one feature set, the plan's first frozen-feature head candidate for small greyscale images
 *    (planCandidates with architecture transfer:MobileNetV2: v2@96-inverted:b3-16, MobileNetV2 at 96 px, blocks
 *    3-16 pooled, inverted polarity), embedded once (original + flip view, no cache on disk) for the pool, the
 *    starting sets and the test sample; no fine-tuned top, no MLP heads, no semi-supervised twins;
 *  - one head instead of the searched, cross-validated, calibrated ensemble: that candidate's logistic-regression
 *    config (trainHead, seeded, trained on original + flip rows, predicted with flip TTA as the service does);
 *  - the ranking sees that head's probabilities and that feature set (views[0]) where the service passes the served
 *    ensemble's calibrated probabilities and its out-of-distribution detector's feature space (the chosen heads'
 *    feature sets or the fine-tuned members' pooled cut maps), so the numbers measure the ranking, not the ensemble;
 *  - the whole pool is ranked (the service ranks a seeded sample of at most MAX_UNLABELED_RANKED = 2,000).
 *
 *   npm run bench:active                      # seeds 1,2,3, pool 5000, 5 rounds of +100, 10,000 test images
 *   npm run bench:active -- --quick           # seed 1, 2 rounds, pool 1000, 1000 test images
 *   flags: --seeds 1,2,3  --rounds 5  --add 100  --start 10 (per class)  --pool 5000  --test-limit 10000  --threads 2
 *   FASHION_MNIST_DIR=<dir with the idx .gz files> (default ../shared/datasets/fashion-mnist)
 */
import { rankSuggestions } from '../packages/ml/src/active/rank-suggestions';
import { loadBackbone } from '../packages/ml/src/backbones/load-backbone';
import { FASHION_MNIST_CLASSES, loadFashionMnist, sampleStratified } from '../packages/ml/src/datasets';
import { selectRows } from '../packages/ml/src/heads/matrix';
import { createRng, deriveSeed, shuffleInPlace } from '../packages/ml/src/random';
import type { IrGraph } from '../packages/ml/src/tflite/ir';
import { extractFeatureSets } from '../packages/ml/src/pipeline/extract-features';
import type { FeatureSetSpec } from '../packages/ml/src/pipeline/types';
import { planCandidates, V2 } from '../packages/ml/src/planning/plan';
import { fitFeatureHead, predictWithTta, type FeatureHeadRecipe } from '../packages/ml/src/selection/feature-head-candidate';
import { listFlag, numberFlag, parseFlags } from './lib/args';
import { greyInputs } from './lib/fashion-inputs';
import { formatTable, mean, pct } from './lib/table';

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has('quick');
const seeds = listFlag(flags, 'seeds', quick ? [1] : [1, 2, 3]);
const rounds = numberFlag(flags, 'rounds', quick ? 2 : 5);
const add = numberFlag(flags, 'add', 100);
const startPerClass = numberFlag(flags, 'start', 10);
const poolSize = numberFlag(flags, 'pool', quick ? 1000 : 5000);
const testLimit = numberFlag(flags, 'test-limit', quick ? 1000 : 10000);
const threads = numberFlag(flags, 'threads', 2);
const VIEWS = 2; // original + flip: the service's default trainViews and flip TTA

const log = (s: string) => process.stdout.write(`${s}\n`);
const secs = (t: number) => ((performance.now() - t) / 1000).toFixed(0);

/** The plan's first frozen-feature head candidate for small greyscale images (feature set and head config). */
async function plannedHead(): Promise<FeatureHeadRecipe & { spec: FeatureSetSpec }> {
  const irs = new Map<string, IrGraph>([[V2, (await loadBackbone(V2)).ir]]);
  const plan = planCandidates({
    profile: { images: startPerClass * FASHION_MNIST_CLASSES.length, classes: FASHION_MNIST_CLASSES.length, medianSide: 28, colour: false },
    budgetSeconds: 1e6, folds: 5, trainViews: VIEWS, ttaViews: VIEWS, architecture: `transfer:${V2}`, irs,
  });
  const item = plan.items.find((x): x is Extract<typeof x, { kind: 'head' }> => x.kind === 'head');
  if (plan.pool !== 'small-greyscale' || !item || item.head.kind !== 'logistic') throw new Error('the plan no longer starts with a logistic-regression head for small greyscale images');
  return { featureSet: item.featureSet.name, head: item.head, trainViews: VIEWS, ttaViews: VIEWS, spec: item.featureSet };
}

async function main() {
  const t0 = performance.now();
  const train = loadFashionMnist('train');
  const test = loadFashionMnist('test');
  const C = FASHION_MNIST_CLASSES.length;
  // One unlabelled pool for every seed (so it is embedded once); each seed's starting set comes from the rest.
  const order = Array.from({ length: train.count }, (_, i) => i);
  shuffleInPlace(order, createRng(deriveSeed(0, 'active:pool')));
  const pool = order.slice(0, poolSize);
  const inPool = new Set(pool);
  const outside = order.filter((i) => !inPool.has(i)).sort((a, b) => a - b);
  const starts = new Map(seeds.map((s) => [s, sampleStratified(Int32Array.from(outside, (i) => train.labels[i]), startPerClass, deriveSeed(s, 'active:start')).map((k) => outside[k])]));
  const startImages = [...new Set([...starts.values()].flat())];
  const trainRows = [...pool, ...startImages]; // rows of the embedded train matrix
  const rowOf = new Map(trainRows.map((img, r) => [img, r]));
  const testCount = Math.min(testLimit, test.count);
  const testIdx = Array.from({ length: testCount }, (_, i) => i);

  const recipe = await plannedHead();
  const h = recipe.head;
  log(`active-learning benchmark (Fashion-MNIST), seeds ${seeds.join(',')}: ${startPerClass}/class to start, pool ${poolSize} (official train split), ${rounds} rounds of +${add}, ${testCount} official test images${quick ? ' (quick)' : ''}`);
  log(`features: ${recipe.featureSet} (embedded once, original + flip); head: logistic regression (l2 ${h.l2}, lr ${h.learningRate}, ${h.epochs} epochs, batch ${h.batchSize}), flip TTA; suggestions: rankSuggestions (BADGE) vs seeded random`);

  const tEmbed = performance.now();
  const [trainSet, testSet] = [
    (await extractFeatureSets(greyInputs(train, trainRows), [recipe.spec], ['orig', 'flip'], { threads })).get(recipe.featureSet)!,
    (await extractFeatureSets(greyInputs(test, testIdx), [recipe.spec], ['orig', 'flip'], { threads })).get(recipe.featureSet)!,
  ];
  log(`embedded ${trainRows.length} train-split + ${testCount} test images x 2 views (${trainSet.views[0].dim}-d) in ${secs(tEmbed)} s`);
  const labels = Int32Array.from(trainRows, (i) => train.labels[i]);
  const testLabels = Int32Array.from(testIdx, (i) => test.labels[i]);
  const testRows = testIdx.map((_, i) => i);
  const accuracy = (p: Float32Array) => {
    let right = 0;
    for (let i = 0; i < testCount; i++) if (argmax(p, i, C) === testLabels[i]) right++;
    return right / testCount;
  };

  // accs[arm][seedIndex][round]
  const accs: Record<'suggested' | 'random', number[][]> = { suggested: [], random: [] };
  const labelCounts: number[] = [];
  for (const seed of seeds) {
    const tSeed = performance.now();
    const start = starts.get(seed)!.map((img) => rowOf.get(img)!);
    const poolRows = pool.map((img) => rowOf.get(img)!);
    for (const arm of ['suggested', 'random'] as const) {
      const rng = createRng(deriveSeed(seed, 'active:random'));
      let labelled = [...start];
      const got: number[] = [];
      for (let round = 0; round <= rounds; round++) {
        const head = await fitFeatureHead(recipe, trainSet, labels, labelled, C, deriveSeed(seed, `active:round${round}`));
        got.push(accuracy(predictWithTta(head, testSet, testRows, VIEWS)));
        if (seed === seeds[0] && arm === 'suggested') labelCounts.push(labelled.length);
        if (round === rounds) break;
        const taken = new Set(labelled);
        const unlabelled = poolRows.filter((r) => !taken.has(r));
        let picks: number[];
        if (arm === 'random') {
          const order = [...unlabelled];
          shuffleInPlace(order, rng);
          picks = order.slice(0, add);
        } else {
          const ranked = await rankSuggestions({
            classes: [...FASHION_MNIST_CLASSES],
            ids: unlabelled.map(String),
            probabilities: predictWithTta(head, trainSet, unlabelled, VIEWS),
            features: selectRows(trainSet.views[0], unlabelled),
            labeledFeatures: selectRows(trainSet.views[0], labelled),
            n: add,
            seed,
          });
          picks = ranked.map((s) => Number(s.imageId));
        }
        labelled = [...labelled, ...picks];
      }
      accs[arm].push(got);
    }
    const k = accs.suggested.length - 1;
    log('');
    log(`seed ${seed} (${secs(tSeed)} s)`);
    log(formatTable(['round', 'labels', 'suggestions', 'random', 'gap (points)'], labelCounts.map((n, r) => [r, n, pct(accs.suggested[k][r]), pct(accs.random[k][r]), points(accs.suggested[k][r] - accs.random[k][r])])));
  }

  log('');
  log(`mean over ${seeds.length} seed(s)`);
  const gaps = labelCounts.map((_, r) => seeds.map((_, k) => accs.suggested[k][r] - accs.random[k][r]));
  log(formatTable(
    ['round', 'labels', 'suggestions', 'random', 'mean gap (points)', 'min gap', 'max gap'],
    labelCounts.map((n, r) => [
      r, n,
      pct(mean(accs.suggested.map((a) => a[r]))), pct(mean(accs.random.map((a) => a[r]))),
      points(mean(gaps[r])), points(Math.min(...gaps[r])), points(Math.max(...gaps[r])),
    ]),
  ));
  const from2 = gaps.slice(2).map((g) => mean(g));
  if (from2.length) {
    const worst = Math.min(...from2);
    log(`from round 2 on, the smallest mean gap is ${points(worst)} points (target >= 2): ${worst >= 0.02 ? 'met' : 'not met'}`);
  }
  log(`total ${secs(t0)} s`);
}

const points = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}`;

function argmax(p: Float32Array, i: number, c: number): number {
  let b = 0;
  for (let k = 1; k < c; k++) if (p[i * c + k] > p[i * c + b]) b = k;
  return b;
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
