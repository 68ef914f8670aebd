import { fashionImages, form, urlencoded } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';

const V2 = '/api/v2/ImageCategorization';

describe('NanoNets v2: models, uploads, auth and errors (real server, real JPEGs)', () => {
  let t: TestTailor;
  let modelId: string;
  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '3' });
  });
  afterAll(async () => t?.stop());

  const call = (path: string, init: RequestInit = {}, key?: string) =>
    fetch(t.baseUrl + path, { ...init, headers: { authorization: t.auth(key), ...(init.headers as object) } });

  it('answers /health', async () => {
    const res = await fetch(`${t.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('creates a model from form-urlencoded repeated categories, as the tutorial script sends it', async () => {
    const res = await call(`${V2}/Model/`, {
      method: 'POST',
      body: urlencoded({ categories: ['Bag', 'Trouser', 'Sandal'] }),
      headers: { accept: 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      model_type: 'classification',
      state: 0,
      categories: [
        { name: 'Bag', count: 0 },
        { name: 'Trouser', count: 0 },
        { name: 'Sandal', count: 0 },
      ],
    });
    expect(body.model_id).toMatch(/^[0-9a-f-]{36}$/);
    modelId = body.model_id;
  });

  it('gets the model by ?modelId=, ?id= and the path style, and lists it', async () => {
    for (const path of [`${V2}/Model/?modelId=${modelId}`, `${V2}/Model/?id=${modelId}`, `${V2}/Model/${modelId}`]) {
      const res = await call(path);
      expect(res.status).toBe(200);
      expect((await res.json()).model_id).toBe(modelId);
    }
    const list = await (await call(`${V2}/Models/`)).json();
    expect(list.map((m: { model_id: string }) => m.model_id)).toContain(modelId);
  });

  it('uploads several `file` parts with category and modelId fields; counts are exact; duplicates recognised', async () => {
    const bags = fashionImages('train', 'Bag', 4);
    const res = await call(`${V2}/UploadFile/`, { method: 'POST', body: form({ category: 'Bag', modelId }, bags) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.result).toHaveLength(4);
    expect(body.result.every((r: { status: string }) => r.status === 'stored')).toBe(true);
    expect(body.categories.find((c: { name: string }) => c.name === 'Bag').count).toBe(4);
    // The same bytes again: recognised by content hash, not counted twice.
    const again = await call(`${V2}/Model/${modelId}/UploadFile/`, { method: 'POST', body: form({ category: 'Bag' }, bags.slice(0, 2)) });
    expect(again.status).toBe(200);
    const againBody = await again.json();
    expect(againBody.result.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(againBody.categories.find((c: { name: string }) => c.name === 'Bag').count).toBe(4);
    expect(againBody.state).toBe(1); // data uploaded, other classes still short
  });

  it('rejects non-images per file with 202 and stores nothing for them', async () => {
    const good = fashionImages('train', 'Trouser', 3);
    const res = await call(`${V2}/UploadFile/`, {
      method: 'POST',
      body: form({ category: 'Trouser', modelId }, [...good, { name: 'notes.txt', bytes: Buffer.from('hello, not an image'), type: 'text/plain' }]),
    });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body.result.find((r: { file: string }) => r.file === 'notes.txt')).toMatchObject({ status: 'rejected' });
    expect(body.result.find((r: { file: string }) => r.file === 'notes.txt').message).toMatch(/Failure: .*image/);
    expect(body.categories.find((c: { name: string }) => c.name === 'Trouser').count).toBe(3);
  });

  it('answers 400 in the NanoNets envelope for an unknown category, with the request id', async () => {
    const res = await call(`${V2}/UploadFile/`, { method: 'POST', body: form({ category: 'Hat', modelId }, fashionImages('train', 'Bag', 1)) });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body).toMatchObject({ message: 'Bad Request', code: 400 });
    expect(body.errors[0].message).toContain('Bag, Trouser, Sandal');
    expect(body.request_id).toBe(res.headers.get('x-request-id'));
  });

  it('refuses to train a dataset with short classes, naming them (409), and leaves the state alone', async () => {
    const res = await call(`${V2}/Train/?modelId=${modelId}`, { method: 'POST' });
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.code).toBe(409);
    expect(JSON.stringify(body.errors)).toMatch(/Sandal \(0\)/);
    const model = await (await call(`${V2}/Model/${modelId}`)).json();
    expect(model.state).toBe(1);
  });

  it('answers 409 "Model is not ready" when predicting with an untrained model', async () => {
    const res = await call(`${V2}/LabelFile/`, { method: 'POST', body: form({ modelId }, fashionImages('test', 'Bag', 1)) });
    expect(res.status).toBe(409);
    expect((await res.json()).errors[0].reason).toBe('Model is not ready');
  });

  it('answers 401 for a missing or wrong key, in the envelope', async () => {
    const none = await fetch(`${t.baseUrl}${V2}/Models/`);
    expect(none.status).toBe(401);
    expect((await none.json()).code).toBe(401);
    const wrong = await call(`${V2}/Models/`, {}, 'tl_wrong_key_000000000000000000');
    expect(wrong.status).toBe(401);
  });

  it("never reveals another account's model: 404, not 403", async () => {
    const other = await t.running.services.accounts.createAccount({ name: 'other' });
    const res = await call(`${V2}/Model/${modelId}`, {}, other.key.key);
    expect(res.status).toBe(404);
    const upload = await call(`${V2}/UploadFile/`, { method: 'POST', body: form({ category: 'Bag', modelId }, fashionImages('train', 'Bag', 1)) }, other.key.key);
    expect(upload.status).toBe(404);
    const list = await (await call(`${V2}/Models/`, {}, other.key.key)).json();
    expect(list).toEqual([]);
  });

  it('a predict-only key can read models but not upload (403)', async () => {
    const account = (await t.running.infra.db.apiKey.findFirstOrThrow({ where: { name: 'first key' } })).accountId;
    const k = await t.running.services.accounts.createKey(account, { scopes: ['predict'] });
    expect((await call(`${V2}/Model/${modelId}`, {}, k.key)).status).toBe(200);
    const res = await call(`${V2}/UploadFile/`, { method: 'POST', body: form({ category: 'Bag', modelId }, fashionImages('train', 'Bag', 1)) }, k.key);
    expect(res.status).toBe(403);
  });

  it('rejects a model definition with fewer than two categories (400)', async () => {
    const res = await call(`${V2}/Model/`, { method: 'POST', body: urlencoded({ categories: 'Only' }) });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].message).toMatch(/two categories/);
  });
});
