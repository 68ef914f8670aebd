/**
 * Which layers of each backbone to pool: frozen global-pooled features of every named 4-D layer (plus the 1001
 * logits), one logistic-regression head per layer, on the colour-photo dev set shared/datasets/cifar10-dev
 * (per class: a seeded shuffle, the first N images train, the next N test). Prints one table per backbone.
 *
 *   npx tsx bench/backbone-layers.ts                 # 160 px, 100/class, seed 0, MobileNetV2 and MobileNet-EdgeTPU
 *   flags: --size 160  --per-class 100  --seed 0  --l2 0.01  --backbones <name,name>
 *
 * Only 1,000 test images: differences under ~2 points are within one seed's noise.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadBackbone } from '../packages/ml/src/backbones';
import { createEmbedder } from '../packages/ml/src/embeddings';
import { createRng, DEFAULT_HEAD_CONFIG, type HeadConfig, matrixFromRows, predictHead, shuffleInPlace, trainHead } from '../packages/ml/src/heads';
import { numberFlag, parseFlags } from './lib/args';
import { formatTable, pct } from './lib/table';

const flags = parseFlags(process.argv.slice(2));
const size = numberFlag(flags, 'size', 160);
const perClass = numberFlag(flags, 'per-class', 100);
const seed = numberFlag(flags, 'seed', 0);
const backbonesFlag = flags.get('backbones');
const backbones = typeof backbonesFlag === 'string' ? backbonesFlag.split(',') : ['mobilenet_v2_1.0_224_quant', 'mobilenet_edgetpu_224_1.0_uint8'];
// The engine's first candidate head (strongly regularised logistic regression, ~1 s per fit).
const head: HeadConfig = {
  ...DEFAULT_HEAD_CONFIG, kind: 'logistic', l2: numberFlag(flags, 'l2', 1e-2), learningRate: 1e-2, batchSize: 512, epochs: 25,
  patience: 0, validationFraction: 0, labelSmoothing: 0,
};

const datasets = process.env.TAILOR_DATASETS_DIR ?? path.resolve(__dirname, '..', '..', 'shared', 'datasets');
const root = path.join(datasets, 'cifar10-dev');
const log = (s: string) => process.stdout.write(`${s}\n`);

interface Split {
  bytes: Buffer[];
  labels: Int32Array;
}

/** Per class (sorted folders and files), one seeded shuffle: the first `perClass` train, the next `perClass` test. */
function splitDevSet(): { classes: string[]; train: Split; test: Split } {
  const classes = readdirSync(root).filter((c) => !c.startsWith('.')).sort();
  const rng = createRng(seed);
  const train: { b: Buffer; y: number }[] = [];
  const test: { b: Buffer; y: number }[] = [];
  classes.forEach((c, y) => {
    const files = readdirSync(path.join(root, c)).filter((f) => f.endsWith('.jpg')).sort();
    shuffleInPlace(files, rng);
    if (files.length < 2 * perClass) throw new Error(`${c}: ${files.length} images, need ${2 * perClass}`);
    const read = (f: string) => ({ b: readFileSync(path.join(root, c, f)), y });
    train.push(...files.slice(0, perClass).map(read));
    test.push(...files.slice(perClass, 2 * perClass).map(read));
  });
  const pack = (xs: { b: Buffer; y: number }[]) => ({ bytes: xs.map((x) => x.b), labels: Int32Array.from(xs, (x) => x.y) });
  return { classes, train: pack(train), test: pack(test) };
}

function accuracy(probs: Float32Array, labels: Int32Array, k: number): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    if (best === labels[i]) right++;
  }
  return right / labels.length;
}

/** Columns [from, from + dim) of each vector: one layer's slice of the concatenated embedding. */
const columns = (vectors: Float32Array[], from: number, dim: number) => matrixFromRows(vectors.map((v) => v.subarray(from, from + dim)), dim);

async function main() {
  const { classes, train, test } = splitDevSet();
  log(`cifar10-dev, ${perClass}/class train + ${perClass}/class test (seed ${seed}), ${size} px, logistic regression l2=${head.l2}`);
  const best: string[][] = [];
  for (const name of backbones) {
    const { layers: named } = await loadBackbone(name);
    // Every pooled feature map, then the logits (the 1001 ImageNet scores, a flat layer).
    const layers = [...named.filter((l) => l.shape.length === 4).map((l) => `pool_${l.name}`), ...named.filter((l) => l.name === 'logits').map((l) => l.name)];
    const embedder = await createEmbedder({ backbone: name, layers, inputSize: size });
    const t0 = performance.now();
    const trainVec = await embedder.embed(train.bytes);
    const testVec = await embedder.embed(test.bytes);
    const embedMs = (performance.now() - t0) / (train.bytes.length + test.bytes.length);
    await embedder.close();

    const rows: (string | number)[][] = [];
    let offset = 0;
    let top = { layer: '', acc: 0 };
    for (const [i, layer] of layers.entries()) {
      const dim = embedder.layerDims[i];
      const trained = await trainHead({ x: columns(trainVec, offset, dim), y: train.labels }, classes.length, head, { seed });
      const acc = accuracy(predictHead(trained, columns(testVec, offset, dim)), test.labels, classes.length);
      const shape = named.find((l) => `pool_${l.name}` === layer || l.name === layer)!.shape;
      rows.push([layer, dim, shape.length === 4 ? `${shape[1]}x${shape[2]}` : '-', pct(acc)]);
      if (acc > top.acc) top = { layer, acc };
      offset += dim;
    }
    log(`\n${name} (embedding ${embedMs.toFixed(1)} ms/image incl. JPEG decode, ${layers.length} outputs in one pass)`);
    log(formatTable(['layer', 'dim', 'map @224', 'accuracy'], rows));
    const final = rows.find((r) => r[0] === 'pool_conv_1');
    best.push([name, top.layer, pct(top.acc), final ? String(final[3]) : '-']);
  }
  log(`\nsummary @${size} px`);
  log(formatTable(['backbone', 'best layer', 'accuracy', 'pool_conv_1'], best));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
