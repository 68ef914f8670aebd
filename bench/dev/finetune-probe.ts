/**
 * Development probe: does training a backbone's top (from cached cut activations) beat a linear probe on the same
 * features? Trains on a sample of a training split and scores on held-out images of that split (never the test set).
 *   npx tsx bench/dev/finetune-probe.ts --dataset fashion|cifar --backbone v2 --cut block_12 --top conv_1 --size 96
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadBackbone } from '../../packages/ml/src/backbones/load-backbone';
import { loadFashionMnist, sampleStratified } from '../../packages/ml/src/datasets/fashion-mnist';
import type { EmbedInput } from '../../packages/ml/src/embeddings/create-embedder';
import { extractCutActivations } from '../../packages/ml/src/finetune/cut-activations';
import { buildFinetuneGraphs } from '../../packages/ml/src/finetune/finetune-graphs';
import { createFinetuneSession } from '../../packages/ml/src/finetune/finetune-session';
import { topSubgraph } from '../../packages/ml/src/finetune/top-subgraph';
import { DEFAULT_TOP_TRAIN, predictTop, trainTop } from '../../packages/ml/src/finetune/train-top';
import { trainingViews } from '../../packages/ml/src/pipeline/extract-features';
import { parseFlags, numberFlag } from '../lib/args';
import { greyInputs } from '../lib/fashion-inputs';

const flags = parseFlags(process.argv.slice(2));
const str = (n: string, d: string) => (typeof flags.get(n) === 'string' ? (flags.get(n) as string) : d);
const dataset = str('dataset', 'fashion');
const backbone = str('backbone', 'v2') === 'v2' ? 'mobilenet_v2_1.0_224_quant' : str('backbone', 'v2');
const cut = str('cut', 'block_12');
const top = str('top', 'conv_1');
const size = numberFlag(flags, 'size', 96);
const seed = numberFlag(flags, 'seed', 1);
const perClass = numberFlag(flags, 'per-class', 100);
const valPerClass = numberFlag(flags, 'val-per-class', 100);
const nViews = numberFlag(flags, 'views', 6);
const cfgOverride = JSON.parse(str('config', '{}'));

function load(): { train: EmbedInput[]; trainLabels: Int32Array; val: EmbedInput[]; valLabels: Int32Array; k: number } {
  if (dataset === 'fashion') {
    const set = loadFashionMnist('train');
    const idx = sampleStratified(set.labels, perClass + valPerClass, seed);
    const byClass = new Map<number, number[]>();
    for (const i of idx) byClass.set(set.labels[i], [...(byClass.get(set.labels[i]) ?? []), i]);
    const tr = [...byClass.values()].flatMap((l) => l.slice(0, perClass));
    const va = [...byClass.values()].flatMap((l) => l.slice(perClass));
    return { train: greyInputs(set, tr), trainLabels: Int32Array.from(tr, (i) => set.labels[i]), val: greyInputs(set, va), valLabels: Int32Array.from(va, (i) => set.labels[i]), k: 10 };
  }
  const root = process.env.CIFAR10_DEV_DIR ?? path.join(__dirname, '..', '..', '..', 'shared', 'datasets', 'cifar10-dev');
  const classes = readdirSync(root).sort();
  const train: EmbedInput[] = [];
  const val: EmbedInput[] = [];
  const tl: number[] = [];
  const vl: number[] = [];
  classes.forEach((c, k) => {
    const files = readdirSync(path.join(root, c)).sort();
    // Seeded split of each class folder.
    let s = seed * 9973 + k;
    const order = files.map((f) => ({ f, r: ((s = (s * 1103515245 + 12345) % 2147483648), s) })).sort((a, b) => a.r - b.r).map((x) => x.f);
    order.slice(0, perClass).forEach((f) => (train.push(readFileSync(path.join(root, c, f))), tl.push(k)));
    order.slice(perClass, perClass + valPerClass).forEach((f) => (val.push(readFileSync(path.join(root, c, f))), vl.push(k)));
  });
  return { train, trainLabels: Int32Array.from(tl), val, valLabels: Int32Array.from(vl), k: classes.length };
}

async function main() {
  const { train, trainLabels, val, valLabels, k } = load();
  const { ir } = await loadBackbone(backbone);
  const sub = topSubgraph(ir, cut, top);
  const views = trainingViews(nViews, 1234);
  let t = performance.now();
  const acts = await extractCutActivations([...train, ...val], views, { backbone, cut, inputSize: size, invert: flags.has('invert') });
  console.log(`activations ${acts.shape.join('x')} x ${views.length} views of ${acts.n} images: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const graphs = buildFinetuneGraphs(sub, [acts.shape[2], acts.shape[0], acts.shape[1]], k);
  const session = await createFinetuneSession(graphs, acts.shape, k, 2);
  const labels = Int32Array.from([...trainLabels, ...valLabels]);
  const trainRows = Array.from({ length: train.length }, (_, i) => i);
  const valRows = Array.from({ length: val.length }, (_, i) => train.length + i);
  const params = sub.params.reduce((a, p) => a + p.init.length, 0);
  console.log(`top: ${sub.ops.length} ops, ${params} parameters, feature dim ${graphs.featureDim}`);
  const runs: Array<[string, Partial<typeof DEFAULT_TOP_TRAIN>]> = flags.has('grid')
    ? [['probe', { topLrScale: 0 }], ['ft', {}]]
    : [['ft', {}]];
  if (flags.has('bag')) runs.push(['bag3', {}]);
  for (const [name, over] of runs) {
    const cfg = { ...DEFAULT_TOP_TRAIN, trainViews: views.map((_, i) => i), ...cfgOverride, ...over };
    t = performance.now();
    let probs: Float32Array;
    if (name === 'bag3') {
      // The three 2/3 models of a 3-fold cross-validation, averaged (what 'bagged' serves).
      probs = new Float32Array(valRows.length * k);
      for (let f = 0; f < 3; f++) {
        const rows = trainRows.filter((_, i) => i % 3 !== f);
        const m = await trainTop(session, graphs, sub, acts, labels, rows, k, cfg, seed + f, {});
        const p = await predictTop(session, acts, valRows, [0, 1], m.params, k);
        for (let i = 0; i < p.length; i++) probs[i] += p[i] / 3;
      }
    } else {
      const trained = await trainTop(session, graphs, sub, acts, labels, trainRows, k, cfg, seed, { onEpoch: (e) => process.stdout.write(`e${e.epoch}:${e.loss.toFixed(3)} `) });
      probs = await predictTop(session, acts, valRows, [0, 1], trained.params, k);
    }
    const secs = (performance.now() - t) / 1000;
    let hits = 0;
    valRows.forEach((_, i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
      if (best === valLabels[i]) hits++;
    });
    console.log(`\n${name} ${JSON.stringify({ ...cfgOverride, ...over })}: val acc ${((hits / valRows.length) * 100).toFixed(2)}%  train ${secs.toFixed(1)} s (${(secs / cfg.epochs).toFixed(2)} s/epoch)`);
  }
  await session.release();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
