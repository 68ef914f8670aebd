import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@tailor/config';
import { v1 } from '@tailor/contracts';
import {
  fileFromPath,
  TailorApiError,
  TailorClient,
  TailorConnectionError,
  TailorError,
  TailorResponseError,
  uploadFolder,
  type RunProgress,
  type UploadProgress,
} from '@tailor/client';
import { runCli } from '@tailor/client/src/cli';
import { freePort } from '../support/server-process';
import { startTestTailor, type TestTailor } from '../support/tailor';
import { CLASSES, captureStream, makeClassFolders, runProcess, writeCorruptJpeg } from './client-fixtures';

/**
 * The SDK and the CLI against a real server: one model is uploaded, trained and used for prediction; the CLI runs
 * in-process (runCli, same code as the binary) and once as a real process to check the exit status reaches the shell.
 */
let tailor: TestTailor;
let client: TailorClient;
let dir: string;
let modelId: string;
let trainDir: string;
let testDir: string;
const calls: string[] = [];

beforeAll(async () => {
  tailor = await startTestTailor({ TAILOR_TRAIN_TIME_BUDGET_S: '5', TAILOR_MIN_IMAGES_PER_CLASS: '5' });
  // Every request the SDK makes is recorded, to check it against the server's OpenAPI document at the end.
  client = new TailorClient({
    url: tailor.baseUrl,
    apiKey: tailor.key,
    fetch: (input, init) => {
      calls.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'tailor-client-test-'));
  trainDir = await makeClassFolders(path.join(dir, 'train'), 'train', 12);
  testDir = await makeClassFolders(path.join(dir, 'test'), 'test', 2);
}, 60_000);

afterAll(async () => {
  await tailor?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function firstFiles(root: string, cls: string, n: number): string[] {
  return readdirSync(path.join(root, cls)).sort().slice(0, n).map((f) => path.join(root, cls, f));
}

async function cli(args: string[], env: Record<string, string> = {}) {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await runCli(args, { TAILOR_URL: tailor.baseUrl, TAILOR_API_KEY: tailor.key, TAILOR_MODEL_ID: modelId, ...env }, stdout, stderr);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('SDK', () => {
  test('errors are typed: API problem with status and request id, connection, contract mismatch', async () => {
    const notFound = await client.getModel('no-such-model').catch((e) => e);
    expect(notFound).toBeInstanceOf(TailorApiError);
    expect(notFound).toMatchObject({ status: 404, code: 'not_found' });
    expect(notFound.requestId).toMatch(/\S+/);

    const badKey = await new TailorClient({ url: tailor.baseUrl, apiKey: 'tl_wrong' }).listModels().catch((e) => e);
    expect(badKey).toMatchObject({ status: 401 });

    const closed = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await new TailorClient({ url: closed, apiKey: 'x' }).listModels().catch((e) => e);
    expect(unreachable).toBeInstanceOf(TailorConnectionError);
    expect(unreachable.message).toContain('ECONNREFUSED');

    // A 2xx body that is not what the contract says is refused, not passed on.
    const mismatch = await client.http.json({ method: 'GET', path: '/health' }, v1.modelView).catch((e) => e);
    expect(mismatch).toBeInstanceOf(TailorResponseError);
  });

  test('uploadFolder refuses classes the model does not have, before sending anything', async () => {
    const model = await client.createModel({ categories: ['Bag', 'Sneaker'] });
    const err = await uploadFolder(client, model.id, trainDir).catch((e) => e);
    expect(err).toBeInstanceOf(TailorError);
    expect(err.message).toContain('Trouser');
    expect((await client.getModel(model.id)).imageCount).toBe(0);
    await client.deleteModel(model.id);
  });

  test('uploadFolder uploads class folders and resumes: images already on the server are skipped by sha256', async () => {
    const model = await client.createModel({ categories: CLASSES, name: 'sdk' });
    modelId = model.id;
    // An earlier, interrupted upload got 5 Bag images in.
    const bags = firstFiles(trainDir, 'Bag', 5);
    const first = await client.uploadImages(modelId, 'Bag', await Promise.all(bags.map(fileFromPath)));
    expect(first).toMatchObject({ stored: 5, duplicates: 0, rejected: 0 });
    const corrupt = await writeCorruptJpeg(path.join(trainDir, 'Sneaker', 'zz-corrupt.jpg'));

    const seen: UploadProgress[] = [];
    const result = await uploadFolder(client, modelId, trainDir, { batchSize: 4, concurrency: 3, onProgress: (p) => seen.push(p) });
    expect(result).toMatchObject({ total: 37, skipped: 5, stored: 31, duplicates: 0, rejected: 1, categories: CLASSES });
    expect(result.rejections).toEqual([{ file: path.join('Sneaker', 'zz-corrupt.jpg'), message: expect.stringMatching(/image/i) }]);
    const last = seen[seen.length - 1]!;
    expect(last.skipped + last.stored + last.duplicates + last.rejected).toBe(37);
    expect(seen.length).toBeGreaterThan(5);

    // Run again: nothing new is sent; only the never-stored corrupt file is tried (and rejected) again.
    const again = await uploadFolder(client, modelId, trainDir);
    expect(again).toMatchObject({ skipped: 36, stored: 0, rejected: 1 });
    await rm(corrupt);
    const model2 = await client.getModel(modelId);
    expect(model2.imageCount).toBe(36);
    expect(model2.categories).toEqual(CLASSES.map((name) => ({ name, count: 12 })));
    const hashes = new Set<string>();
    for await (const img of client.allImages(modelId)) hashes.add(img.sha256);
    expect(hashes.size).toBe(36);
  });

  test('train and follow the run live over server-sent events', async () => {
    const run = await client.train(modelId, { seed: 11 });
    expect(run).toMatchObject({ status: expect.stringMatching(/queued|running/), seed: 11, imageCount: 36 });
    const events: RunProgress[] = [];
    const final = await client.waitForRun(modelId, run.id, (p) => events.push(p));
    expect(final.status).toBe('succeeded');
    expect(final.versionId).toMatch(/\S/);
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events.every((e) => e.id === run.id && e.status_line.length > 0)).toBe(true);
    expect(events.some((e) => ['embedding', 'searching', 'training'].includes(e.phase))).toBe(true);
    expect(events[events.length - 1]!.status).toBe('succeeded');
    const versions = await client.listVersions(modelId);
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ number: 1, active: true, runId: run.id, seed: 11, classes: CLASSES });
    expect((await client.getModel(modelId)).state).toBe(5);
  });

  test('predict files: top-k per image, a bad file fails alone (207)', async () => {
    const trouser = await fileFromPath(path.join(testDir, 'Trouser', readdirSync(path.join(testDir, 'Trouser')).sort()[0]!));
    const res = await client.predict(modelId, [trouser, { name: 'broken.jpg', bytes: Buffer.from('nope') }], { topK: 2 });
    expect(res.version).toBe(1);
    expect(res.predictions[0]).toMatchObject({ file: trouser.name, ok: true, label: 'Trouser' });
    expect(res.predictions[0]!.prediction).toHaveLength(2);
    expect(res.predictions[1]).toMatchObject({ file: 'broken.jpg', ok: false, error: expect.any(String) });
  });

  test('the rest of the API surface: account, keys, webhooks, runs, versions, model update, image delete', async () => {
    expect((await client.account()).scopes).toEqual(expect.arrayContaining(['admin']));
    expect(await client.updateAccount({ email: 'sdk@example.com' })).toMatchObject({ email: 'sdk@example.com' });
    const key = await client.createKey({ name: 'sdk', scopes: ['predict'] });
    expect((await client.listKeys()).map((k) => k.id)).toContain(key.id);
    await client.revokeKey(key.id);
    expect((await client.listKeys()).find((k) => k.id === key.id)?.revokedAt).toEqual(expect.any(String));

    const hook = await client.createWebhook({ url: 'https://example.com/hook', modelId, events: ['training.failed'] });
    expect(hook).toMatchObject({ url: 'https://example.com/hook', modelId, events: ['training.failed'], secret: expect.any(String) });
    expect((await client.listWebhooks()).map((h) => h.id)).toContain(hook.id);
    expect(await client.webhookDeliveries(hook.id)).toEqual([]);
    await client.deleteWebhook(hook.id);

    const runs = await client.listRuns(modelId);
    expect(runs[0]!.status).toBe('succeeded');
    expect(await client.getRun(modelId, runs[0]!.id)).toMatchObject({ id: runs[0]!.id, versionId: expect.any(String) });
    const v = await client.getVersion(modelId, 1);
    expect(v.metrics).toHaveProperty('accuracy');
    expect(await client.activateVersion(modelId, 1)).toMatchObject({ number: 1, active: true });
    expect(await client.updateModel(modelId, { name: 'renamed' })).toMatchObject({ name: 'renamed' });
    expect((await client.listModels()).map((m) => m.id)).toContain(modelId);

    const extra = await client.createModel({ categories: ['a', 'b'] });
    const up = await client.uploadImages(extra.id, 'a', [await fileFromPath(firstFiles(trainDir, 'Bag', 1)[0]!)]);
    expect(up.stored).toBe(1);
    await client.deleteImage(extra.id, up.results[0]!.imageId!);
    expect((await client.listImages(extra.id)).images).toEqual([]);
    await client.deleteModel(extra.id);
  });

  test("every request the SDK made is an operation of the server's OpenAPI document", async () => {
    const doc = (await (await fetch(`${tailor.baseUrl}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((method) => ({ method: method.toUpperCase(), re: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}/?$`) })),
    );
    const unknown = [...new Set(calls)].filter((c) => {
      const [method, p] = c.split(' ');
      return !operations.some((o) => o.method === method && o.re.test(p!));
    });
    expect(calls.length).toBeGreaterThan(30);
    expect(unknown).toEqual([]);
  });
});

describe('CLI', () => {
  test('state, versions, models show, predict (table and --json), keys', async () => {
    expect(await cli(['state'])).toEqual({ code: 0, stdout: '5 Model trained and hosted, ready for prediction\n', stderr: '' });
    // NanoNets' variable names work as well.
    const nano = await cli(['state'], { TAILOR_API_KEY: '', TAILOR_MODEL_ID: '', NANONETS_API_KEY: tailor.key, NANONETS_MODEL_ID: modelId });
    expect(nano.stdout).toBe('5 Model trained and hosted, ready for prediction\n');

    const versions = await cli(['versions']);
    expect(versions.code).toBe(0);
    expect(versions.stdout).toMatch(/^VERSION\s+ACTIVE\s+ARCHITECTURE\s+ACCURACY\s+SEED\s+CREATED\n1\s+yes\s+\S+\s+\d+\.\d%\s+11\s/);

    const show = await cli(['models', 'show', '--json']);
    expect(JSON.parse(show.stdout)).toMatchObject({ id: modelId, state: 5, imageCount: 36, activeVersion: 1 });

    const trousers = readdirSync(path.join(testDir, 'Trouser')).map((f) => path.join(testDir, 'Trouser', f));
    const table = await cli(['predict', ...trousers]);
    expect(table.code).toBe(0);
    const rows = table.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^FILE\s+LABEL\s+PROBABILITY\s+NOTE$/);
    expect(rows.slice(1).map((r) => r.split(/\s+/).slice(0, 2))).toEqual(trousers.map((t) => [t, 'Trouser']));

    const json = await cli(['predict', '--json', '--top', '3', trousers[0]!]);
    const parsed = JSON.parse(json.stdout);
    expect(parsed).toMatchObject({ modelId, version: 1, predictions: [{ file: trousers[0], ok: true, label: 'Trouser' }] });
    expect(parsed.predictions[0].prediction).toHaveLength(3);

    const key = await cli(['keys', 'create', '--name', 'ci', '--scopes', 'predict']);
    expect(key.code).toBe(0);
    expect(key.stdout).toMatch(/^tl_[\w-]+\n$/);
    // The new key works, and only for what its scope allows.
    const predictOnly = { TAILOR_API_KEY: key.stdout.trim() };
    expect((await cli(['state'], predictOnly)).code).toBe(0);
    const refused = await cli(['models', 'create', 'a', 'b'], predictOnly);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/HTTP 403/);
    expect((await cli(['keys', 'list'])).stdout).toMatch(/\sci\s+tl_\S+\s+predict\s/);
  });

  test('plots: the curves and the confusion matrix as PNG files for terminal users', async () => {
    const outDir = path.join(dir, 'plots');
    const res = await cli(['plots', '--out', outDir]);
    expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
    const files = res.stdout.trim().split('\n');
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/-v1-curves\.png$/);
    expect(files[1]).toMatch(/-v1-confusion\.png$/);
    const sharp = (await import('sharp')).default;
    const curves = await sharp(files[0]!).metadata();
    expect(curves).toMatchObject({ format: 'png', width: 960, height: 320 });
    // A real drawing: the confusion matrix has coloured (non-white) cells.
    const { data, info } = await sharp(files[1]!).raw().toBuffer({ resolveWithObject: true });
    let coloured = 0;
    for (let i = 0; i < data.length; i += info.channels) if (data[i]! < 200 && data[i + 2]! > 120) coloured++;
    expect(coloured).toBeGreaterThan(1000);
    expect((await cli(['plots', '99', '--out', outDir])).code).toBe(1);
  });

  test('exit codes: 2 usage, 1 API error, 4 unreachable, 5 partly done', async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(['--help'])).stdout).toContain('Exit codes:');
    expect(await cli(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command') });
    expect(await cli(['state', '--colour=red'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --colour') });
    expect(await cli(['models', 'create', 'only-one'])).toMatchObject({ code: 2 });
    expect(await cli(['state'], { TAILOR_API_KEY: '' })).toMatchObject({ code: 2, stderr: expect.stringContaining('TAILOR_API_KEY') });
    expect(await cli(['state'], { TAILOR_MODEL_ID: '' })).toMatchObject({ code: 2, stderr: expect.stringContaining('TAILOR_MODEL_ID') });
    expect(await cli(['predict', path.join(dir, 'missing.jpg')])).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read') });
    expect(await cli(['upload', path.join(dir, 'nowhere')])).toMatchObject({ code: 2 });

    const notFound = await cli(['state', '--model', 'no-such-model']);
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toMatch(/^tailor: Model no-such-model not found \[HTTP 404 not_found, request \S+\]\n$/);
    expect((await cli(['state'], { TAILOR_API_KEY: 'tl_wrong' })).code).toBe(1);

    const unreachable = await cli(['state'], { TAILOR_URL: `http://127.0.0.1:${await freePort()}` });
    expect(unreachable).toMatchObject({ code: 4, stderr: expect.stringContaining('cannot reach') });

    const broken = await writeCorruptJpeg(path.join(dir, 'broken.jpg'));
    const trouser = path.join(testDir, 'Trouser', readdirSync(path.join(testDir, 'Trouser'))[0]!);
    const partial = await cli(['predict', broken, trouser]);
    expect(partial.code).toBe(5);
    expect(partial.stdout).toMatch(new RegExp(`${broken}\\s+ERROR\\s+-\\s+\\S`));
  });

  test('train --wait exits 3 when the run is canceled', async () => {
    const waiting = cli(['train', '--wait', '--seed', '5']);
    let runId: string | undefined;
    for (let i = 0; i < 100 && !runId; i++) {
      const active = (await client.listRuns(modelId)).find((r) => r.status === 'queued' || r.status === 'running');
      runId = active?.id;
      if (!runId) await new Promise((r) => setTimeout(r, 100));
    }
    expect(runId).toBeDefined();
    await client.cancelRun(modelId, runId!);
    const res = await waiting;
    expect(res.code).toBe(3);
    expect(res.stderr).toContain(`tailor: training canceled`);
    expect(res.stderr).toContain(runId);
  });

  test('as a real process: output on stdout, the exit status reaches the shell', async () => {
    const env = { TAILOR_URL: tailor.baseUrl, TAILOR_API_KEY: tailor.key, TAILOR_MODEL_ID: modelId };
    const main = path.join(REPO_ROOT, 'packages/client/src/cli/main.ts');
    const ok = await runProcess(process.execPath, ['--import', 'tsx', main, 'state'], env, REPO_ROOT);
    expect(ok).toEqual({ code: 0, stdout: '5 Model trained and hosted, ready for prediction\n', stderr: '' });
    const missing = await runProcess(process.execPath, ['--import', 'tsx', main, 'models', 'show', 'no-such-model'], env, REPO_ROOT);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('HTTP 404');
  });

  test('Ctrl-C during train --wait stops following (exit 130), the run goes on and can be canceled', async () => {
    const main = path.join(REPO_ROOT, 'packages/client/src/cli/main.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', main, 'train', '--wait'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', TAILOR_URL: tailor.baseUrl, TAILOR_API_KEY: tailor.key, TAILOR_MODEL_ID: modelId },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    for (let i = 0; i < 300 && !/training run \S+ started/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
    const runId = /training run (\S+) started/.exec(stderr)?.[1];
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain(`stopped following run ${runId}; it goes on on the server`);
    expect((await client.getRun(modelId, runId!)).status).toMatch(/queued|running/);
    expect((await client.cancelRun(modelId, runId!)).status).toBe('canceled');
  });
});
