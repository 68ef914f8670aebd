/**
 * Measures the cost model's unit costs on this machine (packages/ml/src/planning/cost-model.ts holds the reference
 * machine's): frozen forward passes per GMAC, preprocessing per image, head training per unit of work, fine-tuning
 * per sample and GMAC of the top. Run it on an idle machine: `npx tsx bench/calibrate-costs.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadBackbone, backboneOnnx } from '../packages/ml/src/backbones/load-backbone';
import { createImagePreprocessor } from '../packages/ml/src/embeddings/create-embedder';
import { imageAt, loadFashionMnist } from '../packages/ml/src/datasets';
import { Adam } from '../packages/ml/src/finetune/adam';
import { buildFinetuneGraphs } from '../packages/ml/src/finetune/finetune-graphs';
import { createFinetuneSession } from '../packages/ml/src/finetune/finetune-session';
import { topSubgraph } from '../packages/ml/src/finetune/top-subgraph';
import { DEFAULT_HEAD_CONFIG, trainHead } from '../packages/ml/src/heads';
import { createOnnxRunner } from '../packages/ml/src/onnx/onnx-session';
import { atSize, backboneCost } from '../packages/ml/src/planning/backbone-cost';
import { REFERENCE_COSTS } from '../packages/ml/src/planning/cost-model';
import { initTf } from '../packages/ml/src/tf/backend';
import { CIFAR10_DEV_DIR } from './lib/datasets';
import { median } from './lib/table';

const log = (s: string) => process.stdout.write(`${s}\n`);
const V2 = 'mobilenet_v2_1.0_224_quant';
const EDGE = 'mobilenet_edgetpu_224_1.0_uint8';

async function timeIt(reps: number, f: () => Promise<unknown>): Promise<number> {
  await f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await f();
    ts.push((performance.now() - t) / 1000);
  }
  return median(ts);
}

async function main() {
  await initTf();
  const out: Record<string, number[]> = { decodeSeconds: [], viewSeconds: [], headSecondsPerUnit: [], finetuneSecondsPerSampleGmac: [], finetuneSecondsPerSample: [] };
  // Frozen forward.
  for (const [b, size, layer] of [[V2, 96, 'conv_1'], [V2, 160, 'conv_1'], [EDGE, 160, 'conv_1']] as const) {
    const { ir } = await loadBackbone(b);
    const macs = atSize(backboneCost(ir).upTo(layer), size);
    const runner = await createOnnxRunner(await backboneOnnx(b, [`pool_${layer}`]), { threads: 2 });
    const batch = Float32Array.from({ length: 32 * size * size * 3 }, () => Math.random() * 2 - 1);
    const s = await timeIt(5, () => runner.run(batch, [32, size, size, 3]));
    await runner.release();
    const perGmac = s / ((32 * macs) / 1e9);
    (out[`forwardSecondsPerGmac ${b}`] ??= []).push(perGmac);
    log(`forward ${b}@${size} to ${layer}: ${(macs / 1e6).toFixed(0)} MMAC/image, ${((s / 32) * 1000).toFixed(2)} ms/image, ${perGmac.toFixed(4)} s/GMAC`);
  }
  // Preprocessing (decode + resize + normalise), grey pixels and JPEG photos.
  const fm = loadFashionMnist('test');
  const grey = Array.from({ length: 64 }, (_, i) => ({ pixels: imageAt(fm, i), width: 28, height: 28 }));
  const jpegs = readdirSync(path.join(CIFAR10_DEV_DIR, 'cat')).slice(0, 64).map((f) => readFileSync(path.join(CIFAR10_DEV_DIR, 'cat', f)));
  for (const [name, inputs, size] of [['grey 28->96', grey, 96], ['jpeg 32->160', jpegs, 160]] as const) {
    const prep = createImagePreprocessor({ inputSize: size });
    const list = inputs as Array<Parameters<typeof prep.toFloat>[0]>;
    const sDecode = await timeIt(3, () => Promise.all(list.map((x) => prep.decode(x))));
    const decoded = await Promise.all(list.map((x) => prep.decode(x)));
    const sView = await timeIt(3, async () => decoded.map((d) => prep.applyView(d, 'aug:1:0', 'x')));
    out.decodeSeconds.push(sDecode / list.length);
    out.viewSeconds.push(sView / list.length);
    log(`preprocess ${name}: decode ${((sDecode / list.length) * 1000).toFixed(3)} ms/image, one view ${((sView / list.length) * 1000).toFixed(3)} ms`);
  }
  // Head training (logistic regression, TF.js wasm).
  const rows = 1600;
  const dim = 1000;
  const x = Float32Array.from({ length: rows * dim }, () => Math.random());
  const y = Int32Array.from({ length: rows }, (_, i) => i % 10);
  const lr = { ...DEFAULT_HEAD_CONFIG, kind: 'logistic' as const, learningRate: 1e-2, batchSize: 512, epochs: 25, patience: 0, validationFraction: 0, labelSmoothing: 0, l2: 1e-2 };
  const sHead = await timeIt(2, () => trainHead({ x: { rows, dim, data: x }, y }, 10, lr, { seed: 1 }));
  out.headSecondsPerUnit.push(sHead / (rows * lr.epochs * dim * 10));
  log(`logistic head 1600 x 1000 -> 10, 25 epochs: ${sHead.toFixed(2)} s, ${(sHead / (rows * lr.epochs * dim * 10)).toExponential(2)} s/unit`);
  // Fine-tuning steps (batch 32).
  const ft: Array<[number, number]> = [];
  for (const [b, size, cut] of [[V2, 96, 'block_13'], [EDGE, 160, 'block_18'], [V2, 160, 'block_13']] as const) {
    const { ir } = await loadBackbone(b);
    const sub = topSubgraph(ir, cut, 'conv_1');
    const topMacs = atSize(backboneCost(ir).between(cut, 'conv_1'), size);
    const cutShape = ir.layers.find((l) => l.name === cut)!.shape;
    const hw = Math.ceil((cutShape[1] * size) / 224);
    const c = cutShape[3];
    const graphs = buildFinetuneGraphs(sub, [c, hw, hw], 10);
    const session = await createFinetuneSession(graphs, [hw, hw, c], 10, 2);
    const bs = 32;
    const xb = Float32Array.from({ length: bs * hw * hw * c }, () => Math.random() * 3);
    const yb = new Float32Array(bs * 10).fill(0.1 / bs);
    const mask = new Float32Array(bs * graphs.featureDim).fill(1);
    const params = [...sub.params.map((p) => Float32Array.from(p.init)), new Float32Array(10 * graphs.featureDim), new Float32Array(10)];
    const adam = new Adam(params.map((value) => ({ value, lrScale: 1, weightDecay: 0 })));
    const s = await timeIt(8, async () => adam.step((await session.trainStep(xb, bs, yb, mask, params)).grads, 1e-5));
    await session.release();
    ft.push([topMacs / 1e9, s / bs]);
    log(`fine-tune ${b}@${size} ${cut}..conv_1: top ${(topMacs / 1e6).toFixed(1)} MMAC, ${((s / bs) * 1000).toFixed(2)} ms/sample (step of ${bs})`);
  }
  // Least squares through the fine-tuning points: seconds/sample = a + b * GMAC.
  const mx = ft.reduce((a, p) => a + p[0], 0) / ft.length;
  const my = ft.reduce((a, p) => a + p[1], 0) / ft.length;
  const slope = ft.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / ft.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  out.finetuneSecondsPerSampleGmac.push(slope);
  out.finetuneSecondsPerSample.push(Math.max(0, my - slope * mx));
  log('\nmeasured on this machine (reference values in cost-model.ts):');
  const ref = REFERENCE_COSTS as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) {
    const [key, backbone] = k.split(' ');
    const reference = backbone ? (ref[key] as Record<string, number>)[backbone.replace(/\./g, '_')] : ref[key];
    log(`  ${k}: ${median(v).toPrecision(3)}  (reference ${reference})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
