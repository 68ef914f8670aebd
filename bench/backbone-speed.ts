/**
 * Forward-pass speed of the imported backbones on onnxruntime-node: batches of 32 already-normalised images, input
 * to the final pooled features (`pool_conv_1`), median ms per batch at each input size.
 *
 *   npx tsx bench/backbone-speed.ts            # 96, 160, 224 px; 2 threads; MobileNetV2 vs MobileNet-EdgeTPU
 *   flags: --sizes 96,160,224  --threads 2  --reps 15  --backbones <name,name>
 *
 * The backbones take turns batch by batch, so load from other processes on a shared machine hits both alike.
 */
import { backboneOnnx } from '../packages/ml/src/backbones';
import { createOnnxRunner, type OnnxRunner } from '../packages/ml/src/onnx';
import { listFlag, numberFlag, parseFlags } from './lib/args';
import { formatTable, median } from './lib/table';

const flags = parseFlags(process.argv.slice(2));
const sizes = listFlag(flags, 'sizes', [96, 160, 224]);
const threads = numberFlag(flags, 'threads', 2);
const reps = numberFlag(flags, 'reps', 15);
const backbonesFlag = flags.get('backbones');
const backbones = typeof backbonesFlag === 'string' ? backbonesFlag.split(',') : ['mobilenet_v2_1.0_224_quant', 'mobilenet_edgetpu_224_1.0_uint8'];
const BATCH = 32;
const log = (s: string) => process.stdout.write(`${s}\n`);

async function main() {
  log(`onnxruntime-node, ${threads} threads, batch ${BATCH}, input -> pool_conv_1, median of ${reps} batches`);
  const runners: OnnxRunner[] = [];
  for (const name of backbones) runners.push(await createOnnxRunner(await backboneOnnx(name, ['pool_conv_1']), { threads }));
  const rows: (string | number)[][] = [];
  for (const size of sizes) {
    const shape: [number, number, number, number] = [BATCH, size, size, 3];
    const x = new Float32Array(BATCH * size * size * 3).map((_, i) => Math.sin(i * 0.61));
    const times = runners.map(() => [] as number[]);
    for (const r of runners) for (let w = 0; w < 2; w++) await r.run(x, shape); // warm-up: first runs allocate and plan
    for (let rep = 0; rep < reps; rep++) {
      for (const [i, r] of runners.entries()) {
        const t0 = performance.now();
        await r.run(x, shape);
        times[i].push(performance.now() - t0);
      }
    }
    const ms = times.map(median);
    rows.push([`${size}x${size}`, ...ms.flatMap((m) => [m.toFixed(0), (m / BATCH).toFixed(2)]), ...(ms.length === 2 ? [(ms[1] / ms[0]).toFixed(2)] : [])]);
  }
  await Promise.all(runners.map((r) => r.release()));
  const header = ['input', ...backbones.flatMap((b) => [`${b} ms/batch`, 'ms/img']), ...(backbones.length === 2 ? ['ratio'] : [])];
  log(formatTable(header, rows));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
