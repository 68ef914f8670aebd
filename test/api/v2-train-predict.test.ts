import { fashionImages, form, sampleImage, urlencoded } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';

const V2 = '/api/v2/ImageCategorization';
const CLASSES = ['Bag', 'Trouser', 'Sandal'];

/** The tutorial's flow end to end with a real model: create, upload, train, watch the state, predict. */
describe('NanoNets v2: train and predict for real', () => {
  let t: TestTailor;
  let modelId: string;
  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_TRAIN_TIME_BUDGET_S: '10' });
  });
  afterAll(async () => t?.stop());
  const call = (path: string, init: RequestInit = {}) => fetch(t.baseUrl + path, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });

  it('trains from uploaded JPEGs, reports progress through state/status, and reaches state 5', async () => {
    const created = await (await call(`${V2}/Model/`, { method: 'POST', body: urlencoded({ categories: CLASSES }) })).json();
    modelId = created.model_id;
    for (const cls of CLASSES) {
      const res = await call(`${V2}/UploadFile/`, { method: 'POST', body: form({ category: cls, modelId }, fashionImages('train', cls, 12)) });
      expect(res.status).toBe(200);
    }
    const ready = await (await call(`${V2}/Model/?modelId=${modelId}`)).json();
    expect(ready.state).toBe(2);

    const train = await call(`${V2}/Train/?modelId=${modelId}`, { method: 'POST' });
    expect(train.status).toBe(200);
    expect([3, 4]).toContain((await train.json()).state);
    // A second Train while one is queued or running is refused.
    expect((await call(`${V2}/Train/?modelId=${modelId}`, { method: 'POST' })).status).toBe(409);

    const statuses = new Set<string>();
    let state = 3;
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      const m = await (await call(`${V2}/Model/?modelId=${modelId}`)).json();
      state = m.state;
      statuses.add(`${m.state}:${m.status}`);
      if (state === 5 || state === -1) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect([...statuses].find((s) => s.startsWith('-1'))).toBeUndefined();
    expect(state).toBe(5);
    // While training, the one-line status moved: a phase, a percentage.
    expect([...statuses].some((s) => /^4:Training: \w+ \d+%/.test(s))).toBe(true);
  }, 300_000);

  it('predicts held-out test JPEGs with every class and its probability (LabelFile, flat and path style)', async () => {
    let correct = 0;
    let total = 0;
    for (const cls of CLASSES) {
      const files = fashionImages('test', cls, 3);
      const res = await call(`${V2}/LabelFile/`, { method: 'POST', body: form({ modelId }, files) });
      const body = await res.json();
      expect(res.status).toBe(200);
      expect(body.message).toBe('Success');
      expect(body.result).toHaveLength(3);
      for (const r of body.result) {
        expect(r.prediction.map((p: { label: string }) => p.label).sort()).toEqual([...CLASSES].sort());
        const sum = r.prediction.reduce((s: number, p: { probability: number }) => s + p.probability, 0);
        expect(sum).toBeCloseTo(1, 3);
        const best = r.prediction.reduce((a: { probability: number }, b: { probability: number }) => (b.probability > a.probability ? b : a));
        total++;
        if (best.label === cls) correct++;
      }
    }
    // Bags, trousers and sandals are easy to tell apart: a working model gets nearly all of them.
    expect(correct).toBeGreaterThanOrEqual(total - 1);
    const pathStyle = await call(`${V2}/Model/${modelId}/LabelFile/`, { method: 'POST', body: form({}, fashionImages('test', 'Bag', 1)) });
    expect(pathStyle.status).toBe(200);
  });

  it('gives a per-file failure (202) for a non-image among good files', async () => {
    const res = await call(`${V2}/LabelFile/`, {
      method: 'POST',
      body: form({ modelId }, [...fashionImages('test', 'Trouser', 1), { name: 'bad.jpg', bytes: Buffer.from('not a jpeg at all') }]),
    });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body.result[0].message).toBe('Success');
    expect(body.result[1].message).toMatch(/^Failure/);
  });

  it('flags a photo unlike any class as out of distribution', async () => {
    const res = await call(`${V2}/LabelFile/`, { method: 'POST', body: form({ modelId }, [{ name: 'parrot.jpg', bytes: sampleImage('parrot.jpg') }]) });
    expect(res.status).toBe(200);
    expect((await res.json()).result[0].out_of_distribution).toBe(true);
  });

  it('exposes the run, the version and its evaluation on the native API', async () => {
    const runs = await (await call(`/v1/models/${modelId}/runs`)).json();
    expect(runs.runs).toHaveLength(1);
    expect(runs.runs[0]).toMatchObject({ status: 'succeeded', progress: 1, imageCount: 36 });
    expect(runs.runs[0].versionId).toBeTruthy();
    const versions = await (await call(`/v1/models/${modelId}/versions`)).json();
    expect(versions.versions).toHaveLength(1);
    expect(versions.versions[0]).toMatchObject({ number: 1, active: true, classes: CLASSES });
    const full = await (await call(`/v1/models/${modelId}/versions/1`)).json();
    expect(full.metrics.confusionMatrix).toHaveLength(3);
    expect(full.metrics.perClass).toHaveLength(3);
    expect(full.metrics.accuracy).toBeGreaterThan(0.8);
  });
});
