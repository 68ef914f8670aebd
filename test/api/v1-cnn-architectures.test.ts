import { fashionImages, form } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';

/** The tutorial's CNNs are selectable per model and train from scratch through the API on the CPU fallback. */
describe('v1: models with the tutorial CNN architectures', () => {
  let t: TestTailor;
  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '5' });
  });
  afterAll(async () => t?.stop());
  const call = (p: string, init: RequestInit = {}) => fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });
  const json = (body: unknown, method = 'POST') => ({ method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  it.each(['cnn1', 'cnn3', 'cnn4'])('%s trains through the API and predicts', async (architecture) => {
    const created = await call('/v1/models', json({ categories: ['Bag', 'Trouser'], architecture, settings: { epochs: 3 } }));
    expect(created.status).toBe(201);
    const model = await created.json();
    expect(model.architecture).toBe(architecture);
    for (const cls of ['Bag', 'Trouser']) {
      expect((await call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({ category: cls }, fashionImages('train', cls, 15)) })).status).toBe(200);
    }
    const run = await (await call(`/v1/models/${model.id}/train`, json({ seed: 3 }))).json();
    let view;
    const deadline = Date.now() + 240_000;
    do {
      await new Promise((r) => setTimeout(r, 500));
      view = await (await call(`/v1/models/${model.id}/runs/${run.id}`)).json();
    } while (!['succeeded', 'failed'].includes(view.status) && Date.now() < deadline);
    expect({ status: view.status, error: view.error }).toEqual({ status: 'succeeded', error: null });
    const version = await (await call(`/v1/models/${model.id}/versions/1`)).json();
    expect(version.architecture).toBe(architecture);
    expect(version.backbone).toBeNull();
    expect(version.metrics.method).toBe('holdout');
    expect(version.metrics.curves[0].epochs).toHaveLength(3);
    const res = await call(`/v1/models/${model.id}/predict`, { method: 'POST', body: form({}, fashionImages('test', 'Trouser', 2)) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.predictions).toHaveLength(2);
    for (const p of body.predictions) {
      expect(p.prediction.map((x: { label: string }) => x.label).sort()).toEqual(['Bag', 'Trouser']);
      expect(p.prediction[0].probability + p.prediction[1].probability).toBeCloseTo(1, 4);
    }
  }, 300_000);
});
