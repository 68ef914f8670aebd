import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createBlobStore } from '@tailor/storage';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { fashionImages, form, urlencoded } from '../support/fixtures';
import { assertRedisReachable, deleteRedisPrefix, TEST_REDIS_URL } from '../support/redis';
import { startS3Server, type S3TestServer } from '../support/s3-server';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process';

const V2 = '/api/v2/ImageCategorization';
const KEY = 'tl_distributed_test_key_0123456789abcd';
const auth = { authorization: 'Basic ' + Buffer.from(`${KEY}:`).toString('base64') };

/**
 * Distributed mode as deployed: two API processes and two worker processes, sharing one PostgreSQL, one Redis
 * (BullMQ) and one S3 bucket, all real servers on loopback. Two models train concurrently.
 */
describe('distributed mode: 2 API + 2 worker processes on PostgreSQL, Redis and S3', () => {
  let db: TestDatabase;
  let s3: S3TestServer;
  let dataDir: string;
  const prefix = `tailor-dist-${randomBytes(4).toString('hex')}`;
  const procs: ServerProcess[] = [];
  let apis: string[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    await assertRedisReachable();
    db = await createTestDatabase();
    s3 = await startS3Server({ bucket: 'tailor-dist' });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tailor-dist-'));
    env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      TAILOR_QUEUE_PREFIX: prefix,
      S3_BUCKET: s3.bucket,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      TAILOR_DATA_DIR: dataDir, // must stay empty: everything goes to the servers
      TAILOR_BOOTSTRAP_API_KEY: KEY,
      TAILOR_MIN_IMAGES_PER_CLASS: '5',
      TAILOR_TRAIN_TIME_BUDGET_S: '8',
    };
    const ports = [await freePort(), await freePort()];
    for (const port of ports) procs.push(startServerProcess({ ...env, TAILOR_ROLE: 'api', PORT: String(port) }));
    for (let i = 0; i < 2; i++) procs.push(startServerProcess({ ...env, TAILOR_ROLE: 'worker' }));
    apis = ports.map((p) => `http://127.0.0.1:${p}`);
    await Promise.all(apis.map((url, i) => procs[i]!.waitForHealth(url)));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await s3?.stop();
    await db?.drop();
    await deleteRedisPrefix(prefix);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('trains two models concurrently across the workers and serves them from either API process', async () => {
    const classes = ['Bag', 'Trouser', 'Sandal'];
    const models: string[] = [];
    for (let m = 0; m < 2; m++) {
      const api = apis[m]!;
      const created = await (await fetch(`${api}${V2}/Model/`, { method: 'POST', headers: auth, body: urlencoded({ categories: classes }) })).json();
      models.push(created.model_id);
      for (const cls of classes) {
        const res = await fetch(`${api}${V2}/UploadFile/`, { method: 'POST', headers: auth, body: form({ category: cls, modelId: created.model_id }, fashionImages('train', cls, 10)) });
        expect(res.status).toBe(200);
      }
    }
    // Train via one API, watch via the other.
    for (const id of models) expect((await fetch(`${apis[0]}${V2}/Train/?modelId=${id}`, { method: 'POST', headers: auth })).status).toBe(200);
    const deadline = Date.now() + 240_000;
    const states = new Map<string, number>();
    while (Date.now() < deadline && [...states.values()].filter((s) => s === 5).length < 2) {
      for (const id of models) {
        const m = await (await fetch(`${apis[1]}${V2}/Model/?modelId=${id}`, { headers: auth })).json();
        states.set(id, m.state);
        expect(m.state).not.toBe(-1);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect([...states.values()]).toEqual([5, 5]);

    for (const [i, id] of models.entries()) {
      const res = await fetch(`${apis[(i + 1) % 2]}${V2}/LabelFile/`, { method: 'POST', headers: auth, body: form({ modelId: id }, fashionImages('test', 'Trouser', 2)) });
      expect(res.status).toBe(200);
      const body = await res.json();
      for (const r of body.result) expect(r.prediction[0].label).toBe('Trouser');
    }

    // Images and artifacts are in the S3 bucket, not on local disk.
    const store = createBlobStore({ kind: 's3', endpoint: s3.endpoint, bucket: s3.bucket, region: 'us-east-1', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true });
    const keys: string[] = [];
    for await (const k of store.list('')) keys.push(k);
    expect(keys.filter((k) => k.startsWith('images/')).length).toBe(30);
    for (const id of models) expect(keys.some((k) => k.startsWith(`models/${id}/runs/`) && k.endsWith('manifest.json'))).toBe(true);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dataDir)).toEqual([]);
  }, 300_000);
});
