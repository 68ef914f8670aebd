/**
 * Embedding speed of the imported MobileNetV2 on onnxruntime-node vs TF.js wasm, in ms per image, at 96/128/224.
 * Run: npx tsx bench/embed-speed.ts [--threads 2] [--images 64] [--layers pool_block_13,pool_conv_1]
 * "model" = forward pass on already-preprocessed images (embed() of FloatImages, batches of 32);
 * "jpeg" = embed() of 28x28 JPEG bytes, i.e. decode + resize + forward, as the service does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createEmbedder, type EngineName } from '../packages/ml/src/embeddings';
import { preprocessImage, type FloatImage } from '../packages/ml/src/preprocess';
import { initTf } from '../packages/ml/src/tf/backend';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const threads = arg('threads', 2);
const count = arg('images', 64);
const SIZES = [96, 128, 224];
const layersArg = process.argv.indexOf('--layers');
const LAYERS = layersArg > 0 ? process.argv[layersArg + 1].split(',') : ['pool_block_13', 'pool_conv_1'];

const datasets = process.env.TAILOR_DATASETS_DIR ?? path.resolve(__dirname, '..', '..', 'shared', 'datasets');
const root = path.join(datasets, 'nanonets-fashion', 'train');
const jpegs = readdirSync(root)
  .sort()
  .flatMap((c) => readdirSync(path.join(root, c)).sort().slice(0, Math.ceil(count / 10)).map((f) => readFileSync(path.join(root, c, f))))
  .slice(0, count);

async function time(engine: EngineName, size: number, inputs: (FloatImage | Uint8Array)[]): Promise<number> {
  const embedder = await createEmbedder({ engine, inputSize: size, layers: LAYERS, threads });
  try {
    await embedder.embed(inputs.slice(0, 32)); // warm-up: session/kernels/wasm compile
    // tfjs at 224 needs ~3 s per batch of 32 on wasm; one batch is enough to measure it.
    const n = engine === 'tfjs' && size >= 224 ? 32 : inputs.length;
    const t0 = performance.now();
    await embedder.embed(inputs.slice(0, n));
    return (performance.now() - t0) / n;
  } finally {
    await embedder.close();
  }
}

async function main() {
  const backend = await initTf('wasm');
  console.log(`MobileNetV2 (${LAYERS.join(' + ')}), ${jpegs.length} images, batches of 32, onnxruntime threads=${threads}, tfjs backend=${backend}`);
  const rows: string[][] = [];
  for (const size of SIZES) {
    const floats = await Promise.all(jpegs.map((b) => preprocessImage(b, { size })));
    const ortModel = await time('onnxruntime', size, floats);
    const ortJpeg = await time('onnxruntime', size, jpegs);
    const tfjsModel = await time('tfjs', size, floats);
    rows.push([`${size}x${size}`, ortModel.toFixed(2), ortJpeg.toFixed(2), tfjsModel.toFixed(2), (tfjsModel / ortModel).toFixed(1)]);
  }
  const head = ['input', 'onnxruntime model ms/img', 'onnxruntime jpeg ms/img', `tfjs ${backend} model ms/img`, 'tfjs/ort'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  rows.forEach((r) => console.log(line(r)));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
