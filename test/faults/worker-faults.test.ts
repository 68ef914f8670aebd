import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '@tailor/db';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { fashionImages, form, urlencoded } from '../support/fixtures';
import { startPrivateRedis } from '../support/private-redis';
import { waitFor } from '../support/receivers';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';

const V2 = '/api/v2/ImageCategorization';
const KEY = 'tl_faults_test_key_0123456789abcdefgh';
const auth = { authorization: 'Basic ' + Buffer.from(`${KEY}:`).toString('base64') };

/**
 * Real processes, real faults: a worker SIGKILLed mid-run, a worker stopped with SIGTERM mid-run, and Redis restarting
 * mid-run. In each case the run finishes with exactly one new version. Workers share PostgreSQL, a Redis of the
 * test's own, and a filesystem blob store (one machine).
 */
describe('training survives worker and Redis faults', () => {
  let pgdb: TestDatabase;
  let db: Db;
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>;
  let dataDir: string;
  let env: Record<string, string>;
  let api: ServerProcess;
  let baseUrl: string;
  const workers: ServerProcess[] = [];

  beforeAll(async () => {
    pgdb = await createTestDatabase();
    db = createDb(pgdb.url, { poolSize: 2 });
    redis = await startPrivateRedis(await freePort());
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tailor-faults-'));
    await chmod(dataDir, 0o755);
    env = {
      DATABASE_URL: pgdb.url,
      REDIS_URL: redis.url,
      TAILOR_DATA_DIR: dataDir,
      TAILOR_BOOTSTRAP_API_KEY: KEY,
      TAILOR_MIN_IMAGES_PER_CLASS: '5',
      TAILOR_TRAIN_TIME_BUDGET_S: '20',
      // Short locks so a killed worker's job is taken over within seconds.
      TAILOR_JOB_LOCK_MS: '4000',
      TAILOR_JOB_STALLED_INTERVAL_MS: '2000',
      TAILOR_SHUTDOWN_GRACE_MS: '1000',
    };
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    api = startServerProcess({ ...env, TAILOR_ROLE: 'api', PORT: String(port) });
    await api.waitForHealth(baseUrl);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([api, ...workers].map((p) => p?.stop('SIGKILL')));
    await db?.$disconnect();
    await pgdb?.drop();
    await redis?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function startWorker(): Promise<ServerProcess> {
    const w = startServerProcess({ ...env, TAILOR_ROLE: 'worker' });
    workers.push(w);
    await waitFor(() => w.output().includes('Tailor worker running'), 60_000, 'worker start');
    return w;
  }

  async function modelReadyToTrain(): Promise<string> {
    const m = await (await fetch(`${baseUrl}${V2}/Model/`, { method: 'POST', headers: auth, body: urlencoded({ categories: ['Bag', 'Trouser', 'Sandal'] }) })).json();
    for (const cls of ['Bag', 'Trouser', 'Sandal']) {
      const res = await fetch(`${baseUrl}${V2}/UploadFile/`, { method: 'POST', headers: auth, body: form({ category: cls, modelId: m.model_id }, fashionImages('train', cls, 12)) });
      expect(res.status).toBe(200);
    }
    return m.model_id;
  }

  async function train(modelId: string) {
    expect((await fetch(`${baseUrl}${V2}/Train/?modelId=${modelId}`, { method: 'POST', headers: auth })).status).toBe(200);
    return db.trainingRun.findFirstOrThrow({ where: { modelId }, orderBy: { queuedAt: 'desc' } });
  }

  const running = (runId: string) => async () => {
    const r = await db.trainingRun.findUnique({ where: { id: runId } });
    return r?.status === 'running' && r.phase !== 'loading' ? r : undefined;
  };

  async function pollUntil<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const v = await fn();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  async function expectOneVersion(modelId: string, runId: string) {
    const run = await pollUntil(async () => {
      const r = await db.trainingRun.findUnique({ where: { id: runId } });
      return r && ['succeeded', 'failed', 'canceled'].includes(r.status) ? r : undefined;
    }, 240_000, 'the run to end');
    expect({ status: run.status, error: run.error }).toEqual({ status: 'succeeded', error: null });
    const versions = await db.modelVersion.findMany({ where: { modelId } });
    expect(versions).toHaveLength(1);
    expect(versions[0]!.runId).toBe(runId);
    const model = await (await fetch(`${baseUrl}${V2}/Model/?modelId=${modelId}`, { headers: auth })).json();
    expect(model.state).toBe(5);
    return run;
  }

  it('a worker SIGKILLed mid-run: another worker picks the run up and finishes it, one version', async () => {
    const first = await startWorker();
    const modelId = await modelReadyToTrain();
    const run = await train(modelId);
    await pollUntil(running(run.id), 120_000, 'the run to be training');
    const second = await startWorker();
    first.child.kill('SIGKILL');
    const done = await expectOneVersion(modelId, run.id);
    expect(done.attempts).toBeGreaterThanOrEqual(1);
    await second.stop();
  }, 400_000);

  it('a worker stopped with SIGTERM mid-run hands the job back; the next worker finishes it, one version', async () => {
    const first = await startWorker();
    const modelId = await modelReadyToTrain();
    const run = await train(modelId);
    await pollUntil(running(run.id), 120_000, 'the run to be training');
    expect(await first.stop('SIGTERM')).toBe(0);
    const handedBack = await db.trainingRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(handedBack.status).toBe('queued');
    const second = await startWorker();
    await expectOneVersion(modelId, run.id);
    await second.stop();
  }, 400_000);

  it('Redis restarting mid-run loses nothing: the run finishes, one version', async () => {
    const worker = await startWorker();
    const modelId = await modelReadyToTrain();
    const run = await train(modelId);
    await pollUntil(running(run.id), 120_000, 'the run to be training');
    await redis.stop();
    await new Promise((r) => setTimeout(r, 2000));
    await redis.start();
    await expectOneVersion(modelId, run.id);
    await worker.stop();
  }, 400_000);
});
