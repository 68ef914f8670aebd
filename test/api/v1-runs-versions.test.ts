import { fashionImages, form } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';

/** Runs and versions on the native API: SSE progress, queue position, cancel, retrain without downtime, rollback. */
describe('v1: training runs and model versions', () => {
  let t: TestTailor;
  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_TRAIN_TIME_BUDGET_S: '6', TAILOR_WORKER_CONCURRENCY: '1' });
  });
  afterAll(async () => t?.stop());
  const call = (p: string, init: RequestInit = {}) => fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });
  const json = (body: unknown, method = 'POST') => ({ method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  async function newModel(perClass: number, offset = 0) {
    const model = await (await call('/v1/models', json({ categories: ['Bag', 'Trouser', 'Sandal'] }))).json();
    for (const cls of ['Bag', 'Trouser', 'Sandal']) {
      const files = fashionImages('train', cls, offset + perClass).slice(offset);
      expect((await call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({ category: cls }, files) })).status).toBe(200);
    }
    return model.id as string;
  }

  async function waitRun(modelId: string, runId: string) {
    const deadline = Date.now() + 240_000;
    for (;;) {
      const run = await (await call(`/v1/models/${modelId}/runs/${runId}`)).json();
      if (['succeeded', 'failed', 'canceled'].includes(run.status) || Date.now() > deadline) return run;
      await new Promise((r) => setTimeout(r, 400));
    }
  }

  /** Reads the SSE stream to its end, returning the parsed `progress` events. */
  async function readEvents(modelId: string, runId: string) {
    const res = await call(`/v1/models/${modelId}/runs/${runId}/events`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    const events = text
      .split('\n\n')
      .filter((b) => b.startsWith('event: progress'))
      .map((b) => JSON.parse(b.split('\ndata: ')[1]!));
    expect(text).toMatch(/event: end\ndata: \{"status":"succeeded"\}/);
    return events;
  }

  let modelA: string;

  it('streams live progress over SSE until the run ends; a second run queues behind it with its position; queued runs cancel', async () => {
    modelA = await newModel(8);
    const modelB = await newModel(6, 20);
    const runA = await (await call(`/v1/models/${modelA}/train`, json({ seed: 1 }))).json();
    expect(runA.status).toMatch(/queued|running/);
    const runB = await (await call(`/v1/models/${modelB}/train`, json({}))).json();
    // One worker slot: B waits behind A.
    const queued = await (await call(`/v1/models/${modelB}/runs/${runB.id}`)).json();
    expect(queued.status).toBe('queued');
    expect(queued.queuePosition).toBeGreaterThanOrEqual(0);
    const v2 = await (await call(`/api/v2/ImageCategorization/Model/?modelId=${modelB}`)).json();
    expect(v2).toMatchObject({ state: 3 });
    expect(v2.status).toMatch(/^Queued for training/);
    const canceled = await (await call(`/v1/models/${modelB}/runs/${runB.id}/cancel`, { method: 'POST' })).json();
    expect(canceled.status).toBe('canceled');
    expect((await (await call(`/v1/models/${modelB}`)).json()).state).toBe(2);

    const events = await readEvents(modelA, runA.id);
    expect(events.length).toBeGreaterThan(2);
    const fractions = events.map((e) => e.progress);
    expect(fractions[fractions.length - 1]).toBe(1);
    expect(events.some((e) => e.status === 'running' && typeof e.status_line === 'string' && /^Training: \w+ \d+%/.test(e.status_line))).toBe(true);
    expect(events.map((e) => e.phase)).toEqual(expect.arrayContaining(['embedding']));
  }, 300_000);

  it('cancels a running run: the model keeps serving its previous version', async () => {
    // A bare POST with no body at all starts a run with the defaults.
    const started = await call(`/v1/models/${modelA}/train`, { method: 'POST' });
    expect(started.status).toBe(202);
    const run = await started.json();
    for (let i = 0; i < 200; i++) {
      const r = await (await call(`/v1/models/${modelA}/runs/${run.id}`)).json();
      if (r.status === 'running') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const canceled = await (await call(`/v1/models/${modelA}/runs/${run.id}/cancel`, { method: 'POST' })).json();
    expect(canceled.status).toBe('canceled');
    const ended = await waitRun(modelA, run.id);
    expect(ended.status).toBe('canceled');
    const model = await (await call(`/v1/models/${modelA}`)).json();
    expect(model).toMatchObject({ state: 5, activeVersion: 1 });
  }, 120_000);

  it('retrains after more uploads into version 2 while predictions keep answering, then rolls back to version 1', async () => {
    for (const cls of ['Bag', 'Trouser', 'Sandal']) {
      await call(`/v1/models/${modelA}/images`, { method: 'POST', body: form({ category: cls }, fashionImages('train', cls, 12).slice(8)) });
    }
    const run = await (await call(`/v1/models/${modelA}/train`, json({ seed: 3 }))).json();
    let servedDuringTraining = 0;
    let final;
    for (;;) {
      final = await (await call(`/v1/models/${modelA}/runs/${run.id}`)).json();
      if (['succeeded', 'failed', 'canceled'].includes(final.status)) break;
      const res = await call(`/v1/models/${modelA}/predict?topK=2`, { method: 'POST', body: form({}, fashionImages('test', 'Sandal', 1)) });
      expect(res.status).toBe(200);
      const body = await res.json();
      // Version 1 answers until version 2 is published (which may land between our two requests).
      expect([1, 2]).toContain(body.version);
      expect(body.predictions[0].prediction).toHaveLength(2);
      if (body.version === 1) servedDuringTraining++;
    }
    expect(final.status).toBe('succeeded');
    expect(servedDuringTraining).toBeGreaterThan(0);
    const after = await (await call(`/v1/models/${modelA}/predict`, { method: 'POST', body: form({}, fashionImages('test', 'Sandal', 1)) })).json();
    expect(after.version).toBe(2);

    const versions = (await (await call(`/v1/models/${modelA}/versions`)).json()).versions;
    expect(versions.map((v: { number: number; active: boolean }) => [v.number, v.active])).toEqual([
      [2, true],
      [1, false],
    ]);
    for (const v of versions) expect(v.metrics.accuracy).toBeGreaterThan(0);
    expect(versions[0].seed).toBe(3);
    const rolled = await (await call(`/v1/models/${modelA}/versions/1/activate`, { method: 'POST' })).json();
    expect(rolled).toMatchObject({ number: 1, active: true });
    const back = await (await call(`/v1/models/${modelA}/predict`, { method: 'POST', body: form({}, fashionImages('test', 'Sandal', 1)) })).json();
    expect(back.version).toBe(1);
  }, 300_000);

  it('answers problem+json with the request id for native errors', async () => {
    const res = await call('/v1/models/00000000-0000-0000-0000-000000000000');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({ status: 404, code: 'not_found', title: 'Not Found' });
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
    const bad = await call('/v1/models', json({ categories: 'not-a-list' }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].field).toBe('categories');
    const badRule = await call('/v1/models', json({ categories: ['Bag', 'Trouser'], settings: { ensemble: 'best-guess' } }));
    expect(badRule.status).toBe(400);
    expect(JSON.stringify(await badRule.json())).toContain('ensemble');
  });
});
