/**
 * Load benchmark: a real embedded server (its own process, as `npm start` runs it) with a trained model, driven by
 * autocannon. Prints one table per phase and the targets.
 *
 *   npm run bench:load                 # idle and while-training phases, 20 s per cell
 *   npm run bench:load -- --quick      # CI's small copy: 3 s per cell, a smaller model
 *   npm run bench:load -- --soak 10    # 10 minutes of mixed uploads, predictions and retrains: RSS over time, errors
 *   flags: --seconds <per cell>  --images <per class>  --budget <s, the first training>  --soak <minutes>
 *
 * Cells: single-image predictions (NanoNets LabelFile/) at concurrency 1, 8 and 32; batch predictions (10 images per
 * request) at 4; concurrent uploads (a new image per request) at 8. The same again while a training run is in
 * progress (one is started whenever none is running). Errors are socket errors, timeouts and non-2xx answers; the
 * per-key rate limit is off (one key drives everything). RSS is the server process's (API + worker); the training
 * process is reported apart. Targets on 2 cores: ≥ 100 predictions/s at concurrency 8 with p99 ≤ 500 ms while
 * training, 0 errors, peak RSS ≤ 1.5 GB; in the soak, RSS flat (±10%) over its second half.
 */
import os from 'node:os';
import type autocannon from 'autocannon';
import { numberFlag, parseFlags } from './lib/args';
import { formatTable } from './lib/table';
import { runCell, type CellResult } from './load/cannon';
import { multipart, uniqueJpeg } from './load/multipart';
import { BENCH_KEY, RssSampler, startBenchServer } from './load/server';
import { fashion, tailorApi, V2, type TailorApi } from './load/tailor-api';

const flags = parseFlags(process.argv.slice(2));
const quick = flags.has('quick');
const seconds = numberFlag(flags, 'seconds', quick ? 3 : 20);
const perClass = numberFlag(flags, 'images', quick ? 10 : 30);
const firstBudget = numberFlag(flags, 'budget', quick ? 15 : 30);
const soakMinutes = flags.has('soak') ? (flags.get('soak') === true ? 10 : numberFlag(flags, 'soak', 10)) : 0;
const CLASSES = ['Coat', 'Bag', 'Sandal'];
const MB = 1024 * 1024;

const log = (s: string) => process.stdout.write(`${s}\n`);
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(', ');
const ms = (x: number) => `${Math.round(x)}`;
const mb = (x: number) => `${Math.round(x / MB)}`;

interface Setup {
  api: TailorApi;
  url: string;
  modelId: string;
  uploadModelId: string;
}

/** The requests of each cell, built once (multipart bodies of real JPEGs from the tutorial's test split). */
function requestSets(s: Setup) {
  const headers = (contentType: string) => ({ authorization: s.api.authorization, 'content-type': contentType });
  const testImages = CLASSES.flatMap((c) => fashion('test', c, 4));
  const single = testImages.slice(0, 8).map((img) => {
    const { body, contentType } = multipart({ modelId: s.modelId }, [img]);
    return { method: 'POST', path: `${V2}/LabelFile/`, headers: headers(contentType), body };
  });
  const batch = [0, 1].map((k) => {
    const { body, contentType } = multipart({ modelId: s.modelId }, testImages.slice(k, k + 10));
    return { method: 'POST', path: `${V2}/LabelFile/`, headers: headers(contentType), body };
  });
  // A new image per request (same pixels, other bytes): each is decoded, hashed and stored, not a duplicate.
  const source = fashion('train', 'Coat', 1)[0]!.bytes;
  let n = 0;
  const upload: autocannon.Request = {
    method: 'POST',
    path: `${V2}/UploadFile/`,
    setupRequest: (req) => {
      const { body, contentType } = multipart({ modelId: s.uploadModelId, category: 'Coat' }, [{ name: `u${n}.jpg`, bytes: uniqueJpeg(source, n++) }]);
      return { ...req, headers: headers(contentType), body };
    },
  };
  return { single, batch, upload: [upload] };
}

async function setUp(url: string): Promise<Setup> {
  const api = tailorApi(url, BENCH_KEY);
  const modelId = await api.createModel(CLASSES);
  for (const c of CLASSES) await api.upload(modelId, c, fashion('train', c, perClass));
  const uploadModelId = await api.createModel(['Coat', 'Bag']);
  const t0 = Date.now();
  const runId = await api.train(modelId, firstBudget);
  const run = await api.waitForRun(modelId, runId, 15 * 60_000);
  if (run.status !== 'succeeded') throw new Error(`the first training ${run.status}: ${run.error}`);
  log(`model ${modelId}: ${CLASSES.length} classes x ${perClass} images, trained in ${((Date.now() - t0) / 1000).toFixed(1)} s (budget ${firstBudget} s)`);
  // The first prediction loads the version (artifact files, one onnxruntime session per backbone): not what the
  // cells measure, so it is made, and timed, here.
  const t1 = Date.now();
  await api.predict(modelId, fashion('test', 'Bag', 1));
  log(`first prediction (loads the version): ${Date.now() - t1} ms`);
  return { api, url, modelId, uploadModelId };
}

/** Keeps a training run of the benchmark's model going; `running()` says whether one is right now. */
function trainer(s: Setup, budget: number) {
  let current: string | undefined;
  let finished = 0;
  let failures: string[] = [];
  const status = async () => (current ? (await s.api.run(s.modelId, current)).status : undefined);
  return {
    async ensure() {
      const st = await status();
      if (st === 'queued' || st === 'running') return;
      if (st === 'succeeded') finished++;
      if (st === 'failed') failures.push((await s.api.run(s.modelId, current!)).error ?? 'failed');
      current = await s.api.train(s.modelId, budget);
      // Wait until it is really training (past loading), so the cell measures the API beside a working trainer.
      for (let i = 0; i < 120 && (await status()) === 'queued'; i++) await new Promise((r) => setTimeout(r, 500));
    },
    async running() {
      return (await status()) === 'running';
    },
    get finished() {
      return finished;
    },
    get failures() {
      return failures;
    },
    async settle() {
      if (!current) return;
      const run = await s.api.waitForRun(s.modelId, current, 15 * 60_000);
      if (run.status === 'succeeded') finished++;
      else failures.push(run.error ?? run.status);
      current = undefined;
      const f = failures;
      failures = [];
      return f;
    },
  };
}

type Row = [string, number, CellResult, number, number, string];

async function phase(title: string, s: Setup, rss: RssSampler, training?: ReturnType<typeof trainer>) {
  const sets = requestSets(s);
  const cells: Array<[string, number, autocannon.Request[], number]> = [
    ['predict, 1 image', 1, sets.single, 1],
    ['predict, 1 image', 8, sets.single, 1],
    ['predict, 1 image', 32, sets.single, 1],
    ['predict, batch of 10', 4, sets.batch, 10],
    ['upload, 1 image', 8, sets.upload, 1],
  ];
  const rows: Row[] = [];
  for (const [name, connections, requests, perRequest] of cells) {
    if (training) await training.ensure();
    rss.reset();
    const result = await runCell(s.url, connections, seconds, requests);
    const trainedThrough = training ? ((await training.running()) ? 'yes' : 'ended') : '-';
    rows.push([name, connections, result, perRequest, rss.peakServer, training ? `${trainedThrough}, ${mb(rss.peakTraining)} MB` : '-']);
  }
  log(`\n${title} (load average ${load()})`);
  log(
    formatTable(
      ['cell', 'conc.', 'requests', 'req/s', 'images/s', 'p50 ms', 'p99 ms', 'errors', 'server RSS MB', 'training (RSS)'],
      rows.map(([name, c, r, per, peak, tr]) => [name, c, r.requests, r.perSecond.toFixed(1), (r.perSecond * per).toFixed(1), ms(r.p50), ms(r.p99), r.errors, mb(peak), tr]),
    ),
  );
  for (const [name, c, r] of rows) if (r.errors) log(`  errors in "${name}" at ${c}: ${r.statuses}`);
  return rows;
}

async function soak(s: Setup, rss: RssSampler) {
  const sets = requestSets(s);
  const mixed = [...sets.single.slice(0, 4), sets.batch[0]!, ...sets.upload];
  const training = trainer(s, 60);
  const end = Date.now() + soakMinutes * 60_000;
  const series: Array<{ t: number; rss: number; requests: number; errors: number; runs: number }> = [];
  const t0 = Date.now();
  let requests = 0;
  let errors = 0;
  while (Date.now() < end) {
    await training.ensure();
    const r = await runCell(s.url, 8, Math.min(30, Math.max(1, Math.round((end - Date.now()) / 1000))), mixed);
    requests += r.requests;
    errors += r.errors;
    series.push({ t: (Date.now() - t0) / 1000, rss: rss.sample().server, requests, errors, runs: training.finished });
  }
  const failures = (await training.settle()) ?? [];
  log(`\nsoak: ${soakMinutes} min of mixed predictions (single, batch of 10) and uploads at concurrency 8, a 60 s retrain whenever none runs (load average ${load()})`);
  log(formatTable(['t s', 'server RSS MB', 'requests', 'errors', 'retrains done'], series.map((p) => [p.t.toFixed(0), mb(p.rss), p.requests, p.errors, p.runs])));
  const half = series.slice(Math.floor(series.length / 2)).map((p) => p.rss);
  const mean = half.reduce((a, b) => a + b, 0) / Math.max(1, half.length);
  const spread = half.length ? Math.max(...half.map((x) => Math.abs(x - mean) / mean)) : 0;
  log(`soak second half: RSS mean ${mb(mean)} MB, largest deviation ${(spread * 100).toFixed(1)}% (target ±10%: ${spread <= 0.1 ? 'met' : 'NOT met'}); errors ${errors} of ${requests}; retrains ${training.finished} done, ${failures.length} failed`);
  return { errors, flat: spread <= 0.1 };
}

async function main() {
  log(`bench:load ${quick ? '(quick) ' : ''}- ${os.cpus().length} cores, load average at start ${load()}`);
  const server = await startBenchServer();
  const rss = new RssSampler(server.pid);
  let failed = false;
  try {
    const s = await setUp(server.url);
    if (soakMinutes) {
      const r = await soak(s, rss);
      failed = r.errors > 0;
    } else {
      const idle = await phase(`idle: no training (${seconds} s per cell)`, s, rss);
      const training = trainer(s, Math.max(60, seconds * 6 + 60));
      const busy = await phase(`while a training run is in progress (${seconds} s per cell)`, s, rss, training);
      const failures = (await training.settle()) ?? [];
      const c8 = busy.find(([name, c]) => name === 'predict, 1 image' && c === 8)![2];
      const errors = [...idle, ...busy].reduce((n, [, , r]) => n + r.errors, 0);
      log(`\ntargets (2 cores; load average now ${load()}):`);
      log(`  predictions at concurrency 8 while training: ${c8.perSecond.toFixed(1)}/s (target >= 100: ${c8.perSecond >= 100 ? 'met' : 'NOT met'}), p99 ${ms(c8.p99)} ms (target <= 500: ${c8.p99 <= 500 ? 'met' : 'NOT met'})`);
      log(`  errors: ${errors} (target 0: ${errors === 0 ? 'met' : 'NOT met'}); training runs during the phase: ${training.finished} finished, ${failures.length} failed${failures.length ? ` (${failures.join('; ')})` : ''}`);
      log(`  peak server RSS: ${mb(rss.overallServer)} MB (target <= 1536: ${rss.overallServer <= 1536 * MB ? 'met' : 'NOT met'})`);
      failed = errors > 0 || failures.length > 0;
    }
  } finally {
    rss.stop();
    await server.stop();
  }
  // Speed depends on the machine; errors do not: only they fail the run (CI's --quick included).
  if (failed) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
