/**
 * The Fashion-MNIST CNN tutorial's protocol on Tailor's own training code (packages/ml/src/cnn), on whichever tfjs
 * engine initTf picks (tfjs-node(-gpu) if installed, else wasm with Tailor's gradient kernels).
 *   1. Training throughput (forward+backward+Adam, images/s) of each model at batch 256 on 28x28x1.
 *   2. Tutorial protocol: the 60,000 official training images split 80/20 with a fixed seed (48,000 / 12,000),
 *      10 epochs at batch 256 with Adam, test loss/accuracy on the official 10,000 test images; then training
 *      continued with augmentation (rotation, shift, zoom) and scored again.
 *   3. Small-data protocol: 100 images per class sampled from the official train set (seeds 1,2,3), same models,
 *      scored on the same 10,000 test images — what 59,000 more labelled images buy.
 * Writes bench/out/tutorial/{results.json,table.md,<run>.png}. Every figure is measured by this run.
 *
 * npm run bench:tutorial [-- --quick] [--archs cnn1,cnn3] [--epochs 10] [--aug-epochs 5] [--train-limit N]
 *   [--val-limit N] [--test-limit N] [--small-epochs 20] [--small-aug-epochs 10] [--small-batch 32]
 *   [--small-seeds 1,2,3] [--per-class 100] [--speed-steps 3] [--skip speed,full,small] [--out dir]
 * npm run bench:tutorial -- --merge dirA,dirB,... [--out dir]
 *   One table from several runs' results.json (e.g. the models run as parallel processes, one per core); trains nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { initTf } from '../packages/ml/src/tf/backend';
import { CNN_ARCHS, evaluateCnn, trainCnn, type CnnArch, type CnnEpochStats as EpochStats, type CnnEvalResult as EvalResult, type CnnLabelledImages as LabelledImages } from '../packages/ml/src/cnn';
import { CLASSES, loadFashionMnist, sampleStratified, splitTrainValidation, toLabelled } from './tutorial/data';
import { plotHistory } from './tutorial/plot';
import { trainingImagesPerSecond } from './tutorial/speed';
import { formatTable, type RunRecord } from './tutorial/table';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const opt = (name: string, full: string, quickValue: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : quick ? quickValue : full;
};
const num = (name: string, full: number, quickValue: number) => Number(opt(name, String(full), String(quickValue)));
const list = (s: string) => s.split(',').filter(Boolean);

const cfg = {
  archs: list(opt('archs', CNN_ARCHS.join(','), CNN_ARCHS.join(','))) as CnnArch[],
  epochs: num('epochs', 10, 1),
  augEpochs: num('aug-epochs', 5, 1),
  batch: num('batch', 256, 256),
  trainLimit: num('train-limit', 48_000, 512),
  valLimit: num('val-limit', 12_000, 256),
  testLimit: num('test-limit', 10_000, 1_000),
  smallEpochs: num('small-epochs', 20, 2),
  smallAugEpochs: num('small-aug-epochs', 10, 1),
  smallBatch: num('small-batch', 32, 32),
  smallSeeds: list(opt('small-seeds', '1,2,3', '1')).map(Number),
  perClass: num('per-class', 100, 10),
  speedSteps: num('speed-steps', 3, 1),
  skip: list(opt('skip', '', '')),
  splitSeed: 48,
  out: path.resolve(opt('out', path.join(__dirname, 'out', 'tutorial'), path.join(__dirname, 'out', 'tutorial-quick'))),
};

/** Combines finished (and interrupted) runs of several output directories into one table. */
function merge(dirs: string[]): void {
  mkdirSync(cfg.out, { recursive: true });
  const speed: Record<string, number> = {};
  const runs: RunRecord[] = [];
  let testImages = 0;
  for (const dir of dirs) {
    const r = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as { config: { testLimit: number }; speed: Record<string, number>; runs: RunRecord[] };
    Object.assign(speed, r.speed);
    runs.push(...r.runs);
    testImages = Math.max(testImages, r.config.testLimit);
  }
  const table = formatTable(runs, speed, Math.min(testImages, 10_000));
  console.log(table);
  writeFileSync(path.join(cfg.out, 'table.md'), `${table}\n\nmerged from ${dirs.join(', ')}\n`);
  writeFileSync(path.join(cfg.out, 'results.json'), JSON.stringify({ mergedFrom: dirs, speed, runs }, null, 1));
}

async function main(): Promise<void> {
  const mergeDirs = opt('merge', '', '');
  if (mergeDirs) return merge(list(mergeDirs).map((d) => path.resolve(d)));
  const t0 = Date.now();
  mkdirSync(cfg.out, { recursive: true });
  const engine = await initTf();
  console.log(`engine: ${engine}; ${quick ? 'QUICK mode; ' : ''}config ${JSON.stringify({ ...cfg, out: undefined })}`);
  const trainSet = loadFashionMnist('train');
  const testSet = loadFashionMnist('test');
  const test = toLabelled(testSet, Array.from({ length: Math.min(cfg.testLimit, testSet.count) }, (_, i) => i));
  const results: { engine: string; config: typeof cfg; speed: Record<string, number>; runs: RunRecord[] } = { engine, config: cfg, speed: {}, runs: [] };
  const save = (partial?: RunRecord) =>
    writeFileSync(path.join(cfg.out, 'results.json'), JSON.stringify({ ...results, runs: partial ? [...results.runs, partial] : results.runs }, null, 1));
  saveProgress = save;

  if (!cfg.skip.includes('speed')) {
    const sample = toLabelled(trainSet, Array.from({ length: 256 }, (_, i) => i));
    for (const arch of cfg.archs) {
      results.speed[arch] = trainingImagesPerSecond(arch, sample.images, sample.labels, 256, cfg.speedSteps);
      console.log(`speed ${arch}: ${results.speed[arch].toFixed(1)} images/s (forward+backward+Adam, batch 256, 28x28x1, ${cfg.speedSteps} timed steps)`);
      save();
    }
  }

  if (!cfg.skip.includes('full')) {
    const split = splitTrainValidation(trainSet.count, cfg.splitSeed);
    console.log(`tutorial split (seed ${cfg.splitSeed}): ${split.train.length} train / ${split.validation.length} validation; using ${Math.min(cfg.trainLimit, split.train.length)} / ${Math.min(cfg.valLimit, split.validation.length)}`);
    const train = toLabelled(trainSet, split.train.slice(0, cfg.trainLimit));
    const validation = toLabelled(trainSet, split.validation.slice(0, cfg.valLimit));
    for (const arch of cfg.archs) {
      results.runs.push(await run('tutorial', arch, cfg.splitSeed, train, validation, test, cfg.epochs, cfg.augEpochs, cfg.batch));
      save();
    }
  }

  if (!cfg.skip.includes('small')) {
    for (const arch of cfg.archs) {
      for (const seed of cfg.smallSeeds) {
        const data = toLabelled(trainSet, sampleStratified(trainSet.labels, cfg.perClass, seed));
        results.runs.push(await run(`${cfg.perClass}/class`, arch, seed, data, undefined, test, cfg.smallEpochs, cfg.smallAugEpochs, cfg.smallBatch));
        save();
      }
    }
  }

  const table = formatTable(results.runs, results.speed, test.labels.length);
  console.log(`\n${table}`);
  writeFileSync(path.join(cfg.out, 'table.md'), `${table}\n\nengine ${engine}; config ${JSON.stringify(cfg)}\n`);
  console.log(`\nwritten to ${cfg.out} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

/** Results so far, saved after every epoch so that an interrupted run still leaves its curves. */
let saveProgress: (partial: RunRecord) => void = () => undefined;

async function run(
  protocol: string, arch: CnnArch, seed: number, train: LabelledImages, validation: LabelledImages | undefined,
  test: LabelledImages, epochs: number, augEpochs: number, batchSize: number,
): Promise<RunRecord> {
  const started = Date.now();
  let before: EvalResult | undefined;
  let after: EvalResult | undefined;
  const label = `${protocol} ${arch} seed ${seed}`;
  console.log(`\n== ${label}: ${train.labels.length} images, ${epochs} epochs + ${augEpochs} augmented, batch ${batchSize}`);
  const history: EpochStats[] = [];
  await trainCnn({
    ...train, classes: CLASSES, arch, epochs: epochs + augEpochs, batchSize, seed, validation,
    augment: augEpochs > 0 ? { fromEpoch: epochs } : undefined,
    onEpoch: (s: EpochStats, model) => {
      const v = s.valAccuracy !== undefined ? ` val_loss ${s.valLoss!.toFixed(4)} val_acc ${s.valAccuracy.toFixed(4)}` : '';
      console.log(`  epoch ${s.epoch}${s.augmented ? ' (aug)' : ''}: loss ${s.loss.toFixed(4)} acc ${s.accuracy.toFixed(4)}${v} [${s.seconds.toFixed(0)} s, ${s.imagesPerSecond.toFixed(0)} img/s]`);
      if (s.epoch === epochs) {
        before = evaluateCnn(model, test.images, test.labels);
        console.log(`  test before augmentation: loss ${before.loss.toFixed(4)} acc ${before.accuracy.toFixed(4)}`);
      }
      if (augEpochs > 0 && s.epoch === epochs + augEpochs) {
        after = evaluateCnn(model, test.images, test.labels);
        console.log(`  test after augmentation: loss ${after.loss.toFixed(4)} acc ${after.accuracy.toFixed(4)}`);
      }
      history.push(s);
      saveProgress({ protocol, arch, seed, trainImages: train.labels.length, epochs, augEpochs, batchSize, before, after, seconds: (Date.now() - started) / 1000, history, incomplete: true });
    },
  });
  const name = `${protocol.replace('/', '-per-')}-${arch}-seed${seed}`;
  await plotHistory(`${label}: ${train.labels.length} training images`, history, path.join(cfg.out, `${name}.png`));
  return { protocol, arch, seed, trainImages: train.labels.length, epochs, augEpochs, batchSize, before, after, seconds: (Date.now() - started) / 1000, history };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
