/**
 * What a user gets, end to end, through HTTP: a fresh embedded server process (`npm start`'s entry, its own data dir
 * and embedded PostgreSQL), a model created and its ~1,000 images uploaded over /v1, training started and followed
 * until the version is ready (Train -> ready: loading, embedding, search, fits, storing), then predictions of images
 * the service has never seen: one image per request (p50, p90, and the first request, which loads the model) and
 * batches of 20 (images/s). Accuracy of those predictions is printed too.
 *
 *   npm run bench:service                              # Fashion-MNIST 100/class, seed 1
 *   npm run bench:service -- --dataset cifar10-dev
 *   npm run bench:service -- --quick                   # CI: 10/class, 10 s budget
 *   flags: --seed 1  --per-class 100  --budget <s> (server's TAILOR_TRAIN_TIME_BUDGET_S)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { numberFlag, parseFlags } from './lib/args';
import { benchSplit, type BenchDatasetName } from './lib/datasets';
import { formatTable, median, pct } from './lib/table';

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has('quick');
const dataset = (typeof flags.get('dataset') === 'string' ? flags.get('dataset') : 'fashion-mnist') as BenchDatasetName;
const seed = numberFlag(flags, 'seed', 1);
const perClass = numberFlag(flags, 'per-class', quick ? 10 : 100);
const budget = flags.has('budget') ? numberFlag(flags, 'budget', 150) : quick ? 10 : undefined;
const KEY = 'tl_bench_service_key_0123456789abcdef';
const REPO = path.resolve(__dirname, '..');
const log = (s: string) => process.stdout.write(`${s}\n`);

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function main() {
  const split = benchSplit(dataset, seed, { perClass, testLimit: 1000 });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tailor-bench-service-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', PORT: String(port), HOST: '127.0.0.1', TAILOR_DATA_DIR: dataDir, TAILOR_BOOTSTRAP_API_KEY: KEY, LOG_LEVEL: 'warn' };
  if (budget !== undefined) env.TAILOR_TRAIN_TIME_BUDGET_S = String(budget);
  if (process.env.TAILOR_BACKBONE_DIR) env.TAILOR_BACKBONE_DIR = process.env.TAILOR_BACKBONE_DIR;
  const server = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'apps/server/src/main.ts')], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  server.stdout!.on('data', (d) => (out += d));
  server.stderr!.on('data', (d) => (out += d));
  const auth = { Authorization: `Bearer ${KEY}` };
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base}${url}`, { method, headers: { ...auth, ...(body instanceof FormData || body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 300 && res.status !== 207) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text);
  };
  try {
    const tStart = performance.now();
    for (;;) {
      if (server.exitCode !== null) throw new Error(`server exited:\n${out}`);
      if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const startSeconds = (performance.now() - tStart) / 1000;
    log(`service benchmark (${dataset}): ${split.describe}; server healthy after ${startSeconds.toFixed(1)} s`);

    // Category names may not hold '/' (a path separator in dataset zips): Fashion-MNIST's "T-shirt/top" goes as "T-shirt-top".
    const names = split.classes.map((c) => c.replace(/\//g, '-'));
    const model = await api('POST', '/v1/models', { name: `bench-${dataset}`, categories: names });
    // Upload as files, the way clients do: PNG for the idx images, the JPEGs as they are.
    const tUp = performance.now();
    const files = await Promise.all(split.train.map(async (img) => ({ label: img.label, name: img.filename ?? `${img.id.replace(/[^a-z0-9]/gi, '_')}.png`, bytes: img.bytes ?? (await sharp(Buffer.from(img.pixels!.pixels), { raw: { width: img.pixels!.width, height: img.pixels!.height, channels: 1 } }).png().toBuffer()) })));
    for (const cls of split.classes) {
      const mine = files.filter((f) => f.label === cls);
      for (let i = 0; i < mine.length; i += 50) {
        const fd = new FormData();
        fd.append('category', names[split.classes.indexOf(cls)]);
        for (const f of mine.slice(i, i + 50)) fd.append('file', new Blob([new Uint8Array(f.bytes)], { type: f.name.endsWith('.png') ? 'image/png' : 'image/jpeg' }), f.name);
        await api('POST', `/v1/models/${model.id}/images`, fd);
      }
    }
    const uploadSeconds = (performance.now() - tUp) / 1000;

    const tTrain = performance.now();
    const run = await api('POST', `/v1/models/${model.id}/train`, { seed });
    let view = run;
    while (view.status === 'queued' || view.status === 'running') {
      await new Promise((r) => setTimeout(r, 500));
      view = await api('GET', `/v1/models/${model.id}/runs/${run.id}`);
    }
    const trainSeconds = (performance.now() - tTrain) / 1000;
    if (view.status !== 'succeeded') throw new Error(`run ${view.status}: ${view.error}`);
    const version = await api('GET', `/v1/models/${model.id}/versions/${view.versionId}`).catch(() => undefined);
    log(`  uploaded ${files.length} images in ${uploadSeconds.toFixed(1)} s; Train -> ready ${trainSeconds.toFixed(1)} s${version?.metrics?.accuracy !== undefined ? `, estimated accuracy ${pct(version.metrics.accuracy)}` : ''}`);

    // Predictions of unseen images, encoded as a client would send them.
    const n = Math.min(split.test.count, quick ? 60 : 200);
    const encoded = await Promise.all(Array.from({ length: n }, (_, i) => split.test.encoded(i)));
    const type = dataset === 'fashion-mnist' ? 'image/png' : 'image/jpeg';
    const predict = async (idx: number[]) => {
      const fd = new FormData();
      for (const i of idx) fd.append('file', new Blob([new Uint8Array(encoded[i])], { type }), `t${i}.${type === 'image/png' ? 'png' : 'jpg'}`);
      return api('POST', `/v1/models/${model.id}/predict`, fd);
    };
    let hits = 0;
    const score = (res: { predictions: Array<{ label: string }> }, idx: number[]) => idx.forEach((i, j) => (hits += Number(res.predictions[j].label === names[split.test.labels[i]])));
    let t = performance.now();
    score(await predict([0]), [0]);
    const firstMs = performance.now() - t;
    const singles: number[] = [];
    const nSingle = quick ? 20 : 60;
    for (let i = 1; i <= nSingle; i++) {
      t = performance.now();
      score(await predict([i]), [i]);
      singles.push(performance.now() - t);
    }
    const batchMs: number[] = [];
    for (let i = nSingle + 1; i + 20 <= n; i += 20) {
      const idx = Array.from({ length: 20 }, (_, j) => i + j);
      t = performance.now();
      score(await predict(idx), idx);
      batchMs.push(performance.now() - t);
    }
    const scored = 1 + nSingle + batchMs.length * 20;
    singles.sort((a, b) => a - b);
    const batchRate = (20 * batchMs.length) / (batchMs.reduce((a, b) => a + b, 0) / 1000);
    log('');
    log(formatTable(
      ['figure', 'measured', 'target'],
      [
        ['Train -> ready (s)', trainSeconds.toFixed(1), '<= 180'],
        ['first prediction, model load included (ms)', firstMs.toFixed(0), ''],
        ['one image per request, p50 (ms)', median(singles).toFixed(1), '<= 60'],
        ['one image per request, p90 (ms)', singles[Math.floor(singles.length * 0.9)].toFixed(1), ''],
        ['batch of 20, images/s', batchRate.toFixed(0), '>= 100'],
        [`accuracy on the ${scored} predicted images`, pct(hits / scored), ''],
      ],
    ));
    log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores)`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
