import http from 'node:http';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { fashionImages, form, sampleImage, urlencoded } from '../support/fixtures';
import { assertRedisReachable, deleteRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/redis';
import { startTestTailor, type TestTailor } from '../support/tailor';

const V2 = '/api/v2/ImageCategorization';

/** fetch against a test server with a key (the bootstrap key unless given). */
function caller(t: TestTailor) {
  return (path: string, init: RequestInit = {}, key?: string) =>
    fetch(t.baseUrl + path, { ...init, headers: { authorization: t.auth(key), ...(init.headers as object) } });
}
const jsonBody = (v: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(v) });

async function expectProblem(res: Response, status: number, says: RegExp) {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text);
  expect(body).toMatchObject({ status, detail: expect.stringMatching(says), requestId: res.headers.get('x-request-id') });
  return body;
}

async function expectV2Error(res: Response, status: number, says: RegExp) {
  const text = await res.text();
  expect({ status: res.status, text }).toMatchObject({ status });
  const body = JSON.parse(text);
  expect(body).toMatchObject({ code: status, errors: [expect.objectContaining({ message: expect.stringMatching(says) })], request_id: res.headers.get('x-request-id') });
  return body;
}

describe('quotas: 402 naming the quota, in each route family’s envelope, and GET /v1/account', () => {
  let t: TestTailor;
  let call: ReturnType<typeof caller>;
  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_QUOTA_IMAGES: '5', TAILOR_QUOTA_STORED_BYTES: '50000', TAILOR_QUOTA_WEBHOOKS: '1', TAILOR_QUOTA_MODELS: '3' });
    call = caller(t);
  });
  afterAll(async () => t?.stop());

  it('stores images while they fit, rejects the rest one by one, then answers 402; a deletion frees room', async () => {
    const model = await (await call('/v1/models', jsonBody({ categories: ['Coat', 'Bag'] }))).json();
    const small = fashionImages('train', 'Coat', 6);
    expect((await call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({ category: 'Coat' }, small.slice(0, 2)) })).status).toBe(200);

    // A 104 KB photo does not fit in the 50 KB of stored bytes: rejected by itself, nothing stored.
    const big = await call(`${V2}/UploadFile/`, { method: 'POST', body: form({ modelId: model.id, category: 'Coat' }, [{ name: 'cat.jpg', bytes: sampleImage('cat_720p.jpg') }]) });
    expect(big.status).toBe(400);
    expect((await big.json()).result[0].message).toMatch(/^Failure: Quota exhausted: storedBytes/);

    // Four more small ones: three fit under the 5-image quota, the fourth is rejected naming it (202).
    const partial = await call(`${V2}/UploadFile/`, { method: 'POST', body: form({ modelId: model.id, category: 'Coat' }, small.slice(2, 6)) });
    expect(partial.status).toBe(202);
    const results = (await partial.json()).result;
    expect(results.map((r: { status: string }) => r.status)).toEqual(['stored', 'stored', 'stored', 'rejected']);
    expect(results[3].message).toMatch(/Quota exhausted: images/);

    // Full: the next upload is refused before its files are read (v2 envelope, then problem+json on /v1).
    await expectV2Error(await call(`${V2}/UploadFile/`, { method: 'POST', body: form({ modelId: model.id, category: 'Bag' }, fashionImages('train', 'Bag', 1)) }), 402, /Quota exhausted: images \(this account has 5 of 5 images\)/);
    await expectProblem(await call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({ category: 'Bag' }, fashionImages('train', 'Bag', 1)) }), 402, /Quota exhausted: images/);
    const account = await (await call('/v1/account')).json();
    expect(account.quotas.images).toEqual({ used: 5, limit: 5 });
    expect(account.quotas.storedBytes.limit).toBe(50000);
    expect(account.quotas.storedBytes.used).toBe(small.slice(0, 5).reduce((n, f) => n + f.bytes.length, 0));
    expect(await t.running.infra.db.image.count()).toBe(5);

    const images = (await (await call(`/v1/models/${model.id}/images`)).json()).images;
    expect((await call(`/v1/models/${model.id}/images/${images[0].id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({ category: 'Bag' }, fashionImages('train', 'Bag', 1)) })).status).toBe(200);
  });

  it('refuses a model, a webhook past their quotas with 402, and shows every quota in GET /v1/account', async () => {
    // One model exists from the test above; two more reach the quota of 3.
    for (let i = 0; i < 2; i++) expect((await call('/v1/models', jsonBody({ categories: ['A', 'B'] }))).status).toBe(201);
    await expectProblem(await call('/v1/models', jsonBody({ categories: ['A', 'B'] })), 402, /^Quota exhausted: models \(this account has 3 of 3 models\)/);
    await expectV2Error(await call(`${V2}/Model/`, { method: 'POST', body: urlencoded({ categories: ['A', 'B'] }) }), 402, /Quota exhausted: models/);

    expect((await call('/v1/webhooks', jsonBody({ url: 'https://hooks.example.invalid/tailor' }))).status).toBe(201);
    await expectProblem(await call('/v1/webhooks', jsonBody({ url: 'https://hooks.example.invalid/other' })), 402, /Quota exhausted: webhooks/);
    expect(await t.running.infra.db.webhook.count()).toBe(1);

    const account = await (await call('/v1/account')).json();
    expect(account.quotas).toMatchObject({
      models: { used: 3, limit: 3 },
      webhooks: { used: 1, limit: 1 },
      keys: { used: 1, limit: 20 },
      activeRuns: { used: 0, limit: 3 },
      trainingMinutesToday: { used: 0, limit: 240, resetsAt: expect.stringMatching(/T00:00:00.000Z$/) },
    });
    expect(account.rateLimit).toEqual({ requestsPerMinute: 3000 });
  });
});

describe('fair queues: per-account run slots, accounts interleaved, training minutes, job limits from the budget', () => {
  let t: TestTailor;
  let call: ReturnType<typeof caller>;
  let prefix: string;
  let keyB: string;

  beforeAll(async () => {
    await assertRedisReachable();
    prefix = uniqueRedisPrefix('fairness');
    // The API role alone: runs are queued in BullMQ and stay there (no worker consumes), so positions can be read.
    t = await startTestTailor({
      TAILOR_ROLE: 'api',
      REDIS_URL: TEST_REDIS_URL,
      TAILOR_QUEUE_PREFIX: prefix,
      TAILOR_MIN_IMAGES_PER_CLASS: '2',
      TAILOR_MAX_ACTIVE_RUNS_PER_ACCOUNT: '3',
      TAILOR_QUOTA_TRAINING_MINUTES_PER_DAY: '6',
    });
    call = caller(t);
    keyB = (await t.running.services.accounts.createAccount({ name: 'B' })).key.key;
  });
  afterAll(async () => {
    await t?.stop();
    if (prefix) await deleteRedisPrefix(prefix);
  });

  async function trainableModel(key?: string) {
    const m = await (await call('/v1/models', jsonBody({ categories: ['Coat', 'Bag'] }), key)).json();
    for (const cls of ['Coat', 'Bag']) {
      const res = await call(`/v1/models/${m.id}/images`, { method: 'POST', body: form({ category: cls }, fashionImages('train', cls, 2)) }, key);
      expect(res.status).toBe(200);
    }
    return m.id as string;
  }
  const train = (modelId: string, key?: string, settings: object = { timeBudgetSeconds: 60 }) =>
    call(`/v1/models/${modelId}/train`, jsonBody({ settings }), key);
  const position = async (modelId: string, runId: string, key?: string) =>
    (await (await call(`/v1/models/${modelId}/runs/${runId}`, {}, key)).json()).queuePosition;

  it('interleaves accounts in the queue, limits each account’s active runs (429), and keeps positions true', async () => {
    const a = [await trainableModel(), await trainableModel(), await trainableModel(), await trainableModel()];
    const b = await trainableModel(keyB);
    const runsA = [];
    for (const m of a.slice(0, 3)) {
      const res = await train(m);
      expect(res.status).toBe(202);
      runsA.push((await res.json()).id as string);
    }
    const runB = (await (await train(b, keyB)).json()).id as string;
    // A queued three before B queued one; B's first run still goes second: A1, B1, A2, A3.
    expect(await position(a[0]!, runsA[0]!)).toBe(0);
    expect(await position(b, runB, keyB)).toBe(1);
    expect(await position(a[1]!, runsA[1]!)).toBe(2);
    expect(await position(a[2]!, runsA[2]!)).toBe(3);

    // A fourth run of A: its slots are full (429, Retry-After, in both envelopes); nothing queued.
    const refused = await train(a[3]!);
    expect(refused.headers.get('retry-after')).toBe('60');
    await expectProblem(refused, 429, /already has 3 training runs queued or running/);
    await expectV2Error(await call(`${V2}/Train/?modelId=${a[3]}`, { method: 'POST' }), 429, /already has 3 training runs/);
    expect(await t.running.infra.db.trainingRun.count({ where: { model: { id: a[3]! } } })).toBe(0);
    expect((await (await call(`/v1/models/${a[3]}`)).json()).state).toBe(2);

    // Canceling one frees a slot; the new run queues behind A's others (its account has two ahead of it).
    expect((await call(`/v1/models/${a[0]}/runs/${runsA[0]}/cancel`, { method: 'POST' })).status).toBe(200);
    const run4 = (await (await train(a[3]!)).json()).id as string;
    expect(await position(b, runB, keyB)).toBe(0);
    expect(await position(a[1]!, runsA[1]!)).toBe(1);
    expect(await position(a[2]!, runsA[2]!)).toBe(2);
    expect(await position(a[3]!, run4)).toBe(3);
    const account = await (await call('/v1/account')).json();
    expect(account.quotas.activeRuns).toEqual({ used: 3, limit: 3 });
  });

  it("gives each train job an attempt limit derived from its run's time budget", async () => {
    const connection = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue('train', { connection, prefix });
    try {
      const runs = await t.running.infra.db.trainingRun.findMany({ where: { status: 'queued' } });
      expect(runs.length).toBeGreaterThan(0);
      for (const run of runs) {
        const job = await queue.getJob(run.id);
        // 60 s budget + max(300 s grace, 30 s) + 300 s around the training process.
        expect(job?.data).toEqual({ version: 1, runId: run.id, timeoutMs: 660_000 });
      }
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  it('holds queued budgets against the daily training minutes: a run that would pass them is 402', async () => {
    // B has one 60 s run queued; the quota is 6 minutes a day.
    const b2 = await trainableModel(keyB);
    await expectProblem(await train(b2, keyB, { timeBudgetSeconds: 330 }), 402, /^Quota exhausted: trainingMinutesPerDay/);
    expect((await train(b2, keyB, { timeBudgetSeconds: 240 })).status).toBe(202);
    const account = await (await call('/v1/account', {}, keyB)).json();
    expect(account.quotas.trainingMinutesToday).toMatchObject({ used: 0, limit: 6 });
  });
});

describe('per-key rate limit: 429 with Retry-After in the route family’s envelope', () => {
  let t: TestTailor;
  let call: ReturnType<typeof caller>;
  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_RATE_LIMIT_PER_MINUTE: '5' });
    call = caller(t);
  });
  afterAll(async () => t?.stop());

  it('limits each key separately, leaves /health alone, and counts keyless requests by address', async () => {
    for (let i = 0; i < 5; i++) expect((await call('/v1/models')).status).toBe(200);
    const v1 = await call('/v1/models');
    const retryAfter = Number(v1.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    await expectProblem(v1, 429, /Rate limit exceeded: 5 requests per minute per API key/);
    await expectV2Error(await call(`${V2}/Models/`), 429, /Rate limit exceeded/);
    expect((await fetch(`${t.baseUrl}/health`)).status).toBe(200);

    // Another account's key has its own count.
    const other = (await t.running.services.accounts.createAccount({ name: 'other' })).key.key;
    expect((await call('/v1/models', {}, other)).status).toBe(200);
    // No key: 401 until the address has used its five, then 429 before any key lookup.
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push((await fetch(`${t.baseUrl}/v1/models`)).status);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('memory bounds: in-flight upload bytes (503 + Retry-After, 413) and URL download totals', () => {
  let t: TestTailor;
  let call: ReturnType<typeof caller>;
  let modelId: string;
  let images: { base: string; stop(): Promise<void> };
  const big = sampleImage('hot_dog.jpg'); // 200,930 bytes

  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_MAX_INFLIGHT_UPLOAD_BYTES: '300000', TAILOR_MAX_URL_BYTES_PER_REQUEST: '250000', TAILOR_ALLOW_PRIVATE_URLS: 'true' });
    call = caller(t);
    modelId = (await (await call('/v1/models', jsonBody({ categories: ['Food', 'Pet'] }))).json()).id;
    const server = http.createServer((req, res) => {
      const name = req.url?.slice(1) ?? '';
      if (/^(cat_720p|hot_dog|owl|pets)\.jpg$/.test(name)) return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(sampleImage(name));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    images = { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, stop: () => new Promise<void>((r) => server.close(() => r())) };
  });
  afterAll(async () => {
    await images?.stop();
    await t?.stop();
  });

  /** A multipart upload of one file whose body is sent only up to half its file, then held open until released. */
  function heldUpload(bytes: Buffer) {
    const boundary = 'heldBoundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="category"\r\n\r\nFood\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="held.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const body = Buffer.concat([head, bytes, tail]);
    const url = new URL(`${t.baseUrl}/v1/models/${modelId}/images`);
    const req = http.request(url, { method: 'POST', headers: { authorization: t.auth(), 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length } });
    const response = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
    });
    req.write(body.subarray(0, head.length + (bytes.length >> 1)));
    return { response, finish: () => req.end(body.subarray(head.length + (bytes.length >> 1))) };
  }

  async function inUse() {
    return t.running.app!.inflightBytes.inUse;
  }

  it('refuses an upload with 503 + Retry-After while others hold the budget, and takes it once they are done', async () => {
    const held = heldUpload(big);
    // The held request has reserved its declared size.
    for (let i = 0; i < 50 && (await inUse()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await inUse()).toBeGreaterThan(big.length);

    const refused = await call(`/v1/models/${modelId}/images`, { method: 'POST', body: form({ category: 'Food' }, [{ name: 'owl.jpg', bytes: sampleImage('owl.jpg') }]) });
    expect(refused.headers.get('retry-after')).toBe('5');
    await expectProblem(refused, 503, /holding as many uploaded bytes as it may/);
    const label = await call(`${V2}/LabelFile/`, { method: 'POST', body: form({ modelId }, [{ name: 'owl.jpg', bytes: sampleImage('owl.jpg') }]) });
    expect(label.headers.get('retry-after')).toBe('5');
    await expectV2Error(label, 503, /try again in a few seconds/);

    // A body without a declared length (chunked) is counted as it arrives, and refused the same way.
    const owl = sampleImage('owl.jpg');
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('--b\r\nContent-Disposition: form-data; name="category"\r\n\r\nFood\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="owl.jpg"\r\n\r\n'));
        controller.enqueue(new Uint8Array(owl));
        controller.enqueue(new TextEncoder().encode('\r\n--b--\r\n'));
        controller.close();
      },
    });
    const streamed = await call(`/v1/models/${modelId}/images`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: chunked, duplex: 'half' } as RequestInit);
    await expectProblem(streamed, 503, /uploaded bytes/);

    held.finish();
    expect(await held.response).toBe(200);
    expect(await inUse()).toBe(0);
    const again = await call(`/v1/models/${modelId}/images`, { method: 'POST', body: form({ category: 'Food' }, [{ name: 'owl.jpg', bytes: owl }]) });
    expect(again.status).toBe(200);
    expect(await t.running.infra.db.image.count()).toBe(2);
  });

  it('answers 413 for a body larger than the whole budget, before reading it', async () => {
    const files = ['hot_dog.jpg', 'owl.jpg'].map((name) => ({ name, bytes: sampleImage(name) }));
    await expectProblem(await call(`/v1/models/${modelId}/images`, { method: 'POST', body: form({ category: 'Pet' }, files) }), 413, /at most 300000 bytes of files per request/);
    expect(await inUse()).toBe(0);
  });

  it("stops a request's URL downloads at its total, failing the rest one by one", async () => {
    const urls = ['hot_dog.jpg', 'cat_720p.jpg', 'owl.jpg'].map((n) => `${images.base}/${n}`);
    const fresh = (await (await call('/v1/models', jsonBody({ categories: ['Food', 'Pet'] }))).json()).id;
    const res = await call(`/v1/models/${fresh}/images`, jsonBody({ category: 'Pet', urls }));
    expect(res.status).toBe(207);
    const body = await res.json();
    // hot_dog (200,930) fits the 250,000 total; cat (104,837) would pass it; owl has no room left.
    expect(body.results.map((r: { status: string }) => r.status)).toEqual(['stored', 'rejected', 'rejected']);
    for (const r of body.results.slice(1)) expect(r.message).toMatch(/this request's download limit of 250000 bytes in total|reached their limit of 250000 bytes/);
    expect(await inUse()).toBe(0);
  });
});
