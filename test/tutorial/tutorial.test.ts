import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@tailor/config';
import { NANONETS_FASHION_DIR } from '../support/fixtures';
import { startWebhookReceiver } from '../support/receivers';
import { startTestTailor, type TestTailor } from '../support/tailor';
import { runTutorialPath, type PathRun, type StepOutput } from './run-tutorial-path';
import { pathFor, tutorialBlocks } from './tutorial-blocks';

/**
 * docs/tutorial.md, executed: each of its three paths (curl, Python scripts, tailor CLI) runs in its own bash, as
 * written, against one real server, on a reduced copy of the tutorial's JPEGs (3 classes x 12 train, x 3 test).
 * The paths run at the same time, as three users would; their training runs queue on the one worker.
 */
const DOC = path.join(REPO_ROOT, 'docs', 'tutorial.md');
const CLASSES = ['Bag', 'Sneaker', 'Trouser'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOOLS = ['curl', 'python', 'cli'] as const;
/** Step 8 registers $WEBHOOK_URL: a real receiver here, so deliveries of runs that end later succeed quietly. */
let WEBHOOK_URL: string;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

let tailor: TestTailor;
let workDir: string;
const runs: Record<string, Promise<PathRun>> = {};

async function copyFirst(split: 'train' | 'test', n: number, to: string) {
  for (const c of CLASSES) {
    const src = path.join(NANONETS_FASHION_DIR, split, c);
    await mkdir(path.join(to, c), { recursive: true });
    for (const f of (await readdir(src)).sort().slice(0, n)) await cp(path.join(src, f), path.join(to, c, f));
  }
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  WEBHOOK_URL = receiver.url;
  tailor = await startTestTailor({ TAILOR_TRAIN_TIME_BUDGET_S: '5', TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_ALLOW_PRIVATE_URLS: 'true' });
  workDir = await mkdtemp(path.join(os.tmpdir(), 'tailor-tutorial-data-'));
  await copyFirst('train', 12, path.join(workDir, 'train'));
  await copyFirst('test', 3, path.join(workDir, 'test'));
  const blocks = tutorialBlocks(DOC);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    TAILOR_URL: tailor.baseUrl,
    TAILOR_API_KEY: tailor.key,
    DATA_DIR: path.join(workDir, 'train'),
    TEST_DIR: path.join(workDir, 'test'),
    WEBHOOK_URL,
    PYTHONDONTWRITEBYTECODE: '1',
  };
  for (const tool of TOOLS) runs[tool] = runTutorialPath(pathFor(blocks, tool), REPO_ROOT, env, 150_000);
  // Failures are reported by each tool's test; keep an early rejection from being unhandled meanwhile.
  for (const p of Object.values(runs)) p.catch(() => undefined);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(Object.values(runs));
  await tailor?.stop();
  await receiver?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** The URL the server has for a webhook (registered by a tutorial step). */
async function webhookUrls(id: string): Promise<string | undefined> {
  return (await api('/v1/webhooks')).webhooks.find((h: { id: string }) => h.id === id)?.url;
}

async function api(p: string): Promise<any> {
  const res = await fetch(tailor.baseUrl + p, { headers: { authorization: tailor.auth() } });
  expect(res.status).toBe(200);
  return res.json();
}

/** The steps' outputs by step number (a step may have several blocks), after asserting every block ran and passed. */
async function finished(tool: string): Promise<(step: number, nth?: number) => StepOutput> {
  const run = await runs[tool]!;
  const failed = run.steps.find((s) => s.rc !== 0);
  if (failed || run.exitCode !== 0) {
    throw new Error(`${tool} path failed at docs/tutorial.md:${failed?.block.line} (exit ${run.exitCode}):\n${run.transcript.slice(-4000)}`);
  }
  process.stdout.write(`tutorial ${tool} path: ${run.steps.length} blocks in ${run.seconds.toFixed(1)} s\n`);
  return (step, nth = 0) => {
    const s = run.steps.filter((x) => x.block.step === step && x.block.tool !== 'all')[nth];
    if (!s) throw new Error(`no ${tool} block for step ${step}`);
    return s;
  };
}

/** What every path must leave behind: a trained model with all images, and the notification address set. */
async function expectTrainedModel(modelId: string) {
  expect(modelId).toMatch(UUID);
  const model = await api(`/v1/models/${modelId}`);
  expect(model.state).toBe(5);
  expect(model.imageCount).toBe(36);
  expect(model.categories.map((c: { name: string; count: number }) => [c.name, c.count])).toEqual(CLASSES.map((c) => [c, 12]));
  expect(model.activeVersion).toBe(1);
  const account = await api('/v1/account');
  expect(account).toMatchObject({ email: 'you@example.com', notifyEmail: true });
}

test('the document has a curl, a Python and a CLI block for each of the nine steps', () => {
  const blocks = tutorialBlocks(DOC);
  for (const tool of TOOLS) {
    const steps = new Set(pathFor(blocks, tool).filter((b) => b.tool === tool).map((b) => b.step));
    expect([...steps].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }
});

test('curl path', async () => {
  const step = await finished('curl');
  expect(JSON.parse(step(1).stdout)).toEqual({ name: expect.any(String), scopes: ['train', 'predict', 'admin'] });
  expect(JSON.parse(step(2).stdout)).toMatchObject({ key: expect.stringMatching(/^tl_/), scopes: ['train', 'predict'] });
  const created = JSON.parse(step(3).stdout);
  expect(created).toMatchObject({ id: expect.stringMatching(UUID), state: 0, categories: CLASSES });
  expect(step(4).env.NANONETS_MODEL_ID).toBe(created.id);
  const uploads = step(5).stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(uploads).toEqual(CLASSES.map((category) => ({ category, stored: 12, duplicates: 0, rejected: 0 })));
  expect(step(6).env.RUN_ID).toMatch(UUID);
  const watched = step(7).stdout.trim().split('\n');
  expect(watched.some((l) => l.startsWith('Training:'))).toBe(true);
  expect(watched.slice(-2)).toEqual(['finished: succeeded', '5 Model trained and hosted, ready for prediction']);
  const [account, hook] = step(8).stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(account).toEqual({ email: 'you@example.com', notifyEmail: true });
  expect(hook).toEqual({ id: expect.stringMatching(UUID), url: WEBHOOK_URL, events: ['training.finished', 'training.failed'], secret: expect.stringMatching(/\S{16,}/) });
  expect(await webhookUrls(hook.id)).toBe(WEBHOOK_URL);
  const prediction = JSON.parse(step(9).stdout);
  expect(prediction).toMatchObject({ ok: true, label: 'Trouser' });
  expect(prediction.prediction).toHaveLength(3);
  expect(JSON.parse(step(9, 1).stdout)).toEqual({ state: 5, status: 'Model trained and hosted, ready for prediction' });
  await expectTrainedModel(created.id);
});

test('Python path', async () => {
  const step = await finished('python');
  expect(step(1).stdout.trim()).toBe("['train', 'predict', 'admin']");
  expect(step(2).stdout.trim()).toMatch(/^tl_[\w-]+$/);
  const id = step(3).stdout.trim();
  expect(id).toMatch(UUID);
  expect(step(3).stderr).toContain(`NEXT RUN: export NANONETS_MODEL_ID=${id}`);
  expect(step(4).env.NANONETS_MODEL_ID).toBe(id);
  expect(step(5).stdout.trim().split('\n')).toEqual([
    'uploaded 36 new, skipped 0 already uploaded, 0 duplicates, 0 rejected (36 images in 3 classes)',
    'uploaded 0 new, skipped 36 already uploaded, 0 duplicates, 0 rejected (36 images in 3 classes)',
  ]);
  const runId = step(6).stdout.trim();
  expect(runId).toMatch(UUID);
  const states = step(7).stdout.trim().split('\n');
  expect(states[states.length - 1]).toBe('5 Model trained and hosted, ready for prediction');
  const [mail, hookLine] = step(8).stdout.trim().split('\n');
  expect(mail).toBe('you@example.com True');
  const [hookId, hookUrl, secret] = hookLine!.split(' ');
  expect([hookUrl, secret]).toEqual([WEBHOOK_URL, expect.stringMatching(/\S{16,}/)]);
  expect(await webhookUrls(hookId!)).toBe(WEBHOOK_URL);
  expect(step(9).stdout.trim()).toMatch(/^\S+\.jpe?g {2}Trouser {2}(0\.\d{4}|1\.0000)$/);
  await expectTrainedModel(id);
  expect((await api(`/v1/models/${id}/runs/${runId}`)).status).toBe('succeeded');
});

test('CLI path', async () => {
  const step = await finished('cli');
  expect(step(1).stdout).toMatch(/^account: +\S+ \(.*\)\nemail: .*\nkey scopes: train, predict, admin\n$/);
  const [key, header, ...keyRows] = step(2).stdout.trim().split('\n');
  expect(key).toMatch(/^tl_[\w-]+$/);
  expect(header).toMatch(/^ID\s+NAME\s+PREFIX\s+SCOPES/);
  expect(keyRows.some((r) => /\slaptop\s.*\strain,predict\s/.test(r))).toBe(true);
  const id = step(3).stdout.trim();
  expect(id).toMatch(UUID);
  expect(step(4).env.NANONETS_MODEL_ID).toBe(id);
  expect(step(5).stdout.trim().split('\n')).toEqual([
    'uploaded 36 new, skipped 0 already uploaded, 0 duplicates, 0 rejected (36 images in 3 classes)',
    'uploaded 0 new, skipped 36 already uploaded, 0 duplicates, 0 rejected (36 images in 3 classes)',
  ]);
  expect(step(5).stderr).toMatch(/\[#+\] 100% 36\/36 images/);
  expect(step(6).stdout.trim()).toMatch(/^succeeded: version 1, accuracy \d+\.\d% in \d+s \(run [0-9a-f-]{36}\)$/);
  // The live bar went through the run's phases with an ETA (a small run on an idle machine may pass embedding,
  // searching and training between two updates: the last phase before done is enough).
  expect(step(6).stderr).toMatch(/\] +\d+% (embedding|searching|training|evaluating)\b.*ETA \d+s/);
  expect(step(7).stdout.trim()).toBe('5 Model trained and hosted, ready for prediction');
  expect(step(8).stdout).toContain('email:    you@example.com (notifications on)');
  const hookId = step(8).stdout.trim().split('\n').pop()!;
  expect(hookId).toMatch(UUID);
  expect(step(8).stderr).toMatch(/signing secret \(shown once\): \S{16,}/);
  expect(await webhookUrls(hookId)).toBe(WEBHOOK_URL);
  const rows = step(9).stdout.trim().split('\n');
  expect(rows[0]).toMatch(/^FILE\s+LABEL\s+PROBABILITY\s+TOP$/);
  expect(rows).toHaveLength(4);
  for (const r of rows.slice(1)) expect(r).toMatch(/\.jpe?g\s+Trouser\s+\d+\.\d%\s+Trouser \d+\.\d%, \w+ \d+\.\d%, \w+ \d+\.\d%$/);
  await expectTrainedModel(id);
});
