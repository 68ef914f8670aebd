import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@tailor/config';
import { startTailor, type Running } from '@tailor/server';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { fashionImages, form, sampleImage } from '../support/fixtures';
import { startPrivatePostgres } from '../support/private-postgres';
import { startSmtpSink, startWebhookReceiver, waitFor } from '../support/receivers';
import { startS3Server, type S3TestServer } from '../support/s3-server';
import { freePort } from '../support/server-process';

const KEY = 'tl_outage_test_key_0123456789abcdefgh';
const authorization = 'Basic ' + Buffer.from(`${KEY}:`).toString('base64');

/** A real server in this process on `env`, with a temp data dir; `dataDir` may be prepared (a tmpfs) beforehand. */
async function startServer(env: Record<string, string>, dataDir?: string) {
  const dir = dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'tailor-outage-')));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', TAILOR_DATA_DIR: dir, TAILOR_BOOTSTRAP_API_KEY: KEY, LOG_LEVEL: 'error', ...env });
  const running: Running = await startTailor(config, { logger: pino({ level: 'error' }) });
  const base = running.url!;
  const call = (p: string, init: RequestInit = {}) => fetch(base + p, { ...init, headers: { authorization, ...(init.headers as object) } });
  const json = (p: string, body: unknown, method = 'POST') => call(p, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { running, base, call, json, dir, stop: () => running.stop() };
}

type Server = Awaited<ReturnType<typeof startServer>>;

/** One image per request; what the client was told. */
async function uploadOne(s: Server, modelId: string, category: string, file: { name: string; bytes: Buffer }) {
  const res = await s.call(`/v1/models/${modelId}/images`, { method: 'POST', body: form({ category }, [file]) });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type'), body: text ? JSON.parse(text) : undefined };
}

function expect503(out: Awaited<ReturnType<typeof uploadOne>>, says: RegExp) {
  expect({ status: out.status, body: out.body }).toMatchObject({ status: 503, body: { status: 503, code: 'service_unavailable', detail: expect.stringMatching(says) } });
  expect(out.type).toMatch(/^application\/problem\+json/);
  expect(Number(out.retryAfter)).toBeGreaterThanOrEqual(1);
}

describe('PostgreSQL restarted during uploads and during a run (a private cluster)', () => {
  let pg: Awaited<ReturnType<typeof startPrivatePostgres>>;
  let s: Server;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    s = await startServer({ DATABASE_URL: pg.url, TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_TRAIN_TIME_BUDGET_S: '20' });
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
    await pg?.destroy();
    if (s) await rm(s.dir, { recursive: true, force: true });
  });

  it('answers 503 + Retry-After while PostgreSQL is down, recovers by itself, and keeps every acknowledged image', async () => {
    const model = await (await s.json('/v1/models', { categories: ['Coat', 'Bag'] })).json();
    const files = fashionImages('train', 'Coat', 40);
    const outcomes: Array<Awaited<ReturnType<typeof uploadOne>>> = [];
    let next = 0;
    for (let i = 0; i < 5; i++) outcomes.push(await uploadOne(s, model.id, 'Coat', files[next++]!));
    expect(outcomes.map((o) => o.status)).toEqual([200, 200, 200, 200, 200]);

    await pg.stop();
    for (let i = 0; i < 3; i++) {
      const out = await uploadOne(s, model.id, 'Coat', files[next++]!);
      outcomes.push(out);
      expect503(out, /database is unavailable/);
    }
    // Readiness says so too (a load balancer takes the process out of rotation), rather than a 500.
    expect((await fetch(`${s.base}/health`)).status).toBe(503);

    await pg.start();
    // Recovers by itself: the pool replaces its dead connections (a request or two may still see one).
    let ok = 0;
    const deadline = Date.now() + 60_000;
    while (ok < 3 && Date.now() < deadline) {
      const out = await uploadOne(s, model.id, 'Coat', files[next++]!);
      outcomes.push(out);
      if (out.status === 200) ok++;
      else expect503(out, /unavailable/);
    }
    expect(ok).toBe(3);
    expect(outcomes.every((o) => o.status === 200 || o.status === 503)).toBe(true);

    const acknowledged = outcomes.filter((o) => o.status === 200).map((o) => o.body.results[0].imageId as string);
    const rows = await s.running.infra.db.image.findMany({ where: { modelId: model.id }, select: { id: true, blobKey: true } });
    expect(rows.map((r) => r.id)).toEqual(expect.arrayContaining(acknowledged));
    for (const r of rows) expect(await s.running.infra.blobs.head(r.blobKey)).toBeDefined();
  });

  it('a run whose database restarts mid-training ends with exactly one version', async () => {
    const model = await (await s.json('/v1/models', { categories: ['Coat', 'Bag'] })).json();
    for (const cls of ['Coat', 'Bag']) {
      const res = await s.call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({ category: cls }, fashionImages('train', cls, 8)) });
      expect(res.status).toBe(200);
    }
    const run = await (await s.json(`/v1/models/${model.id}/train`, {})).json();
    const db = s.running.infra.db;
    const deadline = Date.now() + 120_000;
    let phase = '';
    while (Date.now() < deadline) {
      const row = await db.trainingRun.findUniqueOrThrow({ where: { id: run.id } });
      phase = row.phase;
      if (row.status === 'running' && phase !== 'loading') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(['embedding', 'searching', 'training', 'evaluating']).toContain(phase);

    await pg.stop();
    await new Promise((r) => setTimeout(r, 4000));
    await pg.start();

    let view: { status: string; error: string | null } | undefined;
    const end = Date.now() + 240_000;
    while (Date.now() < end) {
      const res = await s.call(`/v1/models/${model.id}/runs/${run.id}`);
      if (res.status === 200) {
        view = await res.json();
        if (['succeeded', 'failed', 'canceled'].includes(view!.status)) break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(view).toMatchObject({ status: 'succeeded', error: null });
    expect(await db.modelVersion.count({ where: { modelId: model.id } })).toBe(1);
    const predicted = await s.call(`/v1/models/${model.id}/predict`, { method: 'POST', body: form({}, fashionImages('test', 'Bag', 1)) });
    expect(predicted.status).toBe(200);
    // The waits above (start, restart, end) may take their full bounds on a busy machine; jest's default 120 s is less.
  }, 420_000);
});

describe('the S3 server stopped during an upload', () => {
  let s3: S3TestServer;
  let s3dir: string;
  let port: number;
  let pgdb: TestDatabase;
  let s: Server;

  beforeAll(async () => {
    s3dir = await mkdtemp(path.join(os.tmpdir(), 'tailor-s3-outage-'));
    port = await freePort();
    s3 = await startS3Server({ port, directory: s3dir, bucket: 'outage' });
    pgdb = await createTestDatabase();
    s = await startServer({
      DATABASE_URL: pgdb.url,
      S3_BUCKET: 'outage',
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    });
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
    await s3?.stop();
    await pgdb?.drop();
    await rm(s3dir, { recursive: true, force: true });
    if (s) await rm(s.dir, { recursive: true, force: true });
  });

  it('answers 503 + Retry-After for an upload whose blob cannot be written, stores nothing of it, and recovers', async () => {
    const model = await (await s.json('/v1/models', { categories: ['Coat', 'Bag'] })).json();
    const [first, second] = fashionImages('train', 'Bag', 2);
    expect((await uploadOne(s, model.id, 'Bag', first!)).status).toBe(200);

    // The upload's body is on its way when the S3 server goes.
    const boundary = 'outageBoundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="category"\r\n\r\nBag\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${second!.name}"\r\n\r\n`);
    const body = Buffer.concat([head, second!.bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const req = http.request(`${s.base}/v1/models/${model.id}/images`, {
      method: 'POST',
      headers: { authorization, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length },
    });
    const answered = new Promise<{ status: number; retryAfter?: string; text: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined, text }));
      });
      req.on('error', reject);
    });
    req.write(body.subarray(0, head.length + 100));
    await s3.stop();
    req.end(body.subarray(head.length + 100));
    const out = await answered;
    expect({ status: out.status, text: out.text }).toMatchObject({ status: 503 });
    expect(JSON.parse(out.text).detail).toMatch(/blob store is unavailable/);
    expect(Number(out.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(await s.running.infra.db.image.count({ where: { modelId: model.id } })).toBe(1);

    s3 = await startS3Server({ port, directory: s3dir, bucket: 'outage' });
    const retried = await uploadOne(s, model.id, 'Bag', second!);
    expect(retried.status).toBe(200);
    expect(retried.body.results[0].status).toBe('stored');
    const rows = await s.running.infra.db.image.findMany({ where: { modelId: model.id } });
    expect(rows).toHaveLength(2);
    for (const r of rows) expect((await s.running.infra.blobs.getBuffer(r.blobKey)).length).toBe(r.size);
  });
});

describe('the filesystem blob store full (a real 1 MiB tmpfs)', () => {
  let dataDir: string;
  let blobDir: string;
  let pgdb: TestDatabase;
  let s: Server;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tailor-full-'));
    blobDir = path.join(dataDir, 'blobs');
    await mkdir(blobDir);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'tailor-test-full', blobDir], { stdio: 'pipe' });
    } catch (err) {
      throw new Error(`this test needs a real full filesystem: mounting a 1 MiB tmpfs failed (run as root, or with CAP_SYS_ADMIN): ${(err as Error).message}`);
    }
    pgdb = await createTestDatabase();
    s = await startServer({ DATABASE_URL: pgdb.url }, dataDir);
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
    await pgdb?.drop();
    try {
      execFileSync('umount', [blobDir], { stdio: 'pipe' });
    } catch {
      // not mounted (the mount failed, and the test said so)
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 503 when the disk is full, leaves no partial file or row, and stores again once space is freed', async () => {
    const model = await (await s.json('/v1/models', { categories: ['Photo', 'Other'] })).json();
    const stored: string[] = [];
    for (const name of ['cat_720p.jpg', 'hot_dog.jpg', 'pets.jpg', 'owl.jpg']) {
      const out = await uploadOne(s, model.id, 'Photo', { name, bytes: sampleImage(name) });
      expect(out.status).toBe(200);
      stored.push(out.body.results[0].imageId);
    }
    // 632 KB stored; the 597 KB parrot does not fit in what is left of 1 MiB.
    const full = await uploadOne(s, model.id, 'Photo', { name: 'parrot.jpg', bytes: sampleImage('parrot.jpg') });
    expect503(full, /blob store is full/);
    expect(full.retryAfter).toBe('60');
    expect(await s.running.infra.db.image.count({ where: { modelId: model.id } })).toBe(4);
    expect(await readdir(path.join(blobDir, '.tmp'))).toEqual([]);

    for (const id of stored.slice(1, 3)) expect((await s.call(`/v1/models/${model.id}/images/${id}`, { method: 'DELETE' })).status).toBe(204);
    const again = await uploadOne(s, model.id, 'Photo', { name: 'parrot.jpg', bytes: sampleImage('parrot.jpg') });
    expect(again.status).toBe(200);
    const rows = await s.running.infra.db.image.findMany({ where: { modelId: model.id } });
    for (const r of rows) expect((await s.running.infra.blobs.getBuffer(r.blobKey)).length).toBe(r.size);
  });
});

describe('SMTP and webhook receivers down', () => {
  let pgdb: TestDatabase;
  let s: Server;
  let smtpPort: number;
  let hookPort: number;

  beforeAll(async () => {
    smtpPort = await freePort();
    hookPort = await freePort();
    pgdb = await createTestDatabase();
    s = await startServer({ DATABASE_URL: pgdb.url, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, TAILOR_ALLOW_PRIVATE_URLS: 'true' });
  }, 120_000);
  afterAll(async () => {
    await s?.stop();
    await pgdb?.drop();
    if (s) await rm(s.dir, { recursive: true, force: true });
  });

  it('keeps retrying a run’s webhook and e-mail while their receivers are down, and delivers each once when they are back', async () => {
    const model = await (await s.json('/v1/models', { categories: ['Coat', 'Bag'] })).json();
    expect((await s.json('/v1/account', { email: 'owner@example.test' }, 'PATCH')).status).toBe(200);
    const hook = await (await s.json('/v1/webhooks', { url: `http://127.0.0.1:${hookPort}/hook` })).json();
    // A run that has ended (as the worker leaves one), announced as the worker announces it.
    const db = s.running.infra.db;
    const run = await db.trainingRun.create({
      data: { modelId: model.id, seed: 1, status: 'failed', phase: 'done', error: 'a failure to announce', startedAt: new Date(), finishedAt: new Date() },
    });
    await s.running.services.notifications.runEnded(run.id);

    // Both receivers are down: the first attempts fail and are logged, and the API answers as usual meanwhile.
    const failedOnce = async () => (await db.webhookDelivery.findFirst({ where: { webhookId: hook.id } }))?.attempts ?? 0;
    const until = Date.now() + 30_000;
    while ((await failedOnce()) < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const pending = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: hook.id } });
    expect(pending).toMatchObject({ status: 'pending', error: expect.stringMatching(/ECONNREFUSED|connect/i) });
    expect((await s.call('/v1/models')).status).toBe(200);

    const receiver = await startWebhookReceiver(() => 200, hookPort);
    const smtp = await startSmtpSink(smtpPort);
    try {
      await waitFor(() => receiver.received.length > 0 && smtp.mails.length > 0, 60_000, 'the webhook and the e-mail after the receivers came back');
      await new Promise((r) => setTimeout(r, 3000)); // a duplicate would arrive within the retry backoff
      expect(receiver.received).toHaveLength(1);
      expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ event: 'training.failed', runId: run.id });
      expect(smtp.mails).toHaveLength(1);
      expect(smtp.mails[0]!.subject).toMatch(/training of model .* failed/);
      const done = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: hook.id } });
      expect(done.status).toBe('delivered');
      expect(done.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await receiver.stop();
      await smtp.stop();
    }
  });
});
