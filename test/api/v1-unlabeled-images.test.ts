import http from 'node:http';
import { fashionImages, form, urlencoded } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';

const V2 = '/api/v2/ImageCategorization';

/**
 * Images uploaded without a category are stored unlabelled (files and URLs), listed apart, labelled, relabelled and
 * unlabelled by PATCH; they count in no class, so the dataset check and the model's state ignore them. The v2 API is
 * unchanged: it still needs a category.
 */
describe('v1: unlabelled images', () => {
  let t: TestTailor;
  let server: http.Server;
  let imageBase: string;
  const coats = fashionImages('train', 'Coat', 2);
  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_ALLOW_PRIVATE_URLS: 'true' });
    server = http.createServer((req, res) => {
      const i = ['/coat0.jpeg', '/coat1.jpeg'].indexOf(req.url ?? '');
      if (i >= 0) return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(coats[i]!.bytes);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    imageBase = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    await t?.stop();
  });
  const call = (p: string, init: RequestInit = {}) => fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });
  const json = (body: unknown, method = 'POST') => ({ method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const model = async (id: string) => (await call(`/v1/models/${id}`)).json();
  const list = async (id: string, query: string) => (await (await call(`/v1/models/${id}/images?${query}`)).json()).images as Array<{ id: string; category: string | null; filename: string }>;

  let modelId: string;
  const unlabeledFiles = [...fashionImages('test', 'Bag', 2), ...fashionImages('test', 'Trouser', 2)];

  it('stores files without a category as unlabelled: they count in no class and leave the state to the labelled ones', async () => {
    modelId = (await (await call('/v1/models', json({ categories: ['Bag', 'Trouser'] }))).json()).id;
    const res = await call(`/v1/models/${modelId}/images`, { method: 'POST', body: form({}, unlabeledFiles) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ stored: 4, duplicates: 0, rejected: 0 });
    for (const r of body.results) expect(r).not.toHaveProperty('category');
    // Unlabelled images alone are no training data.
    expect(await model(modelId)).toMatchObject({ state: 0, imageCount: 0, unlabeledCount: 4, categories: [{ name: 'Bag', count: 0 }, { name: 'Trouser', count: 0 }] });
    for (const cls of ['Bag', 'Trouser']) {
      expect((await call(`/v1/models/${modelId}/images`, { method: 'POST', body: form({ category: cls }, fashionImages('train', cls, 5)) })).status).toBe(200);
    }
    expect(await model(modelId)).toMatchObject({ state: 2, imageCount: 10, unlabeledCount: 4 });
  });

  it('recognises a second upload of the same bytes as a duplicate that is unlabelled', async () => {
    const res = await call(`/v1/models/${modelId}/images`, { method: 'POST', body: form({}, unlabeledFiles.slice(0, 1)) });
    const body = await res.json();
    expect(body.results[0]).toMatchObject({ status: 'duplicate', message: 'already uploaded, unlabelled' });
    expect(body.results[0]).not.toHaveProperty('category');
  });

  it('stores URLs without a category as unlabelled too', async () => {
    const res = await call(`/v1/models/${modelId}/images`, json({ urls: [`${imageBase}/coat0.jpeg`, `${imageBase}/coat1.jpeg`] }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ stored: 2 });
    expect((await model(modelId)).unlabeledCount).toBe(6);
  });

  it('lists unlabelled and labelled images apart', async () => {
    const unl = await list(modelId, 'labeled=false');
    expect(unl).toHaveLength(6);
    for (const i of unl) expect(i.category).toBeNull();
    const lab = await list(modelId, 'labeled=true');
    expect(lab).toHaveLength(10);
    for (const i of lab) expect(['Bag', 'Trouser']).toContain(i.category);
    expect(await list(modelId, '')).toHaveLength(16);
    expect((await call(`/v1/models/${modelId}/images?labeled=maybe`)).status).toBe(400);
  });

  it('labels an image, moves it to another class, and makes a labelled one unlabelled again', async () => {
    const [first] = await list(modelId, 'labeled=false');
    const labelled = await call(`/v1/models/${modelId}/images/${first!.id}`, json({ category: 'Bag' }, 'PATCH'));
    expect(labelled.status).toBe(200);
    expect(await labelled.json()).toMatchObject({ id: first!.id, category: 'Bag' });
    expect(await model(modelId)).toMatchObject({ imageCount: 11, unlabeledCount: 5, categories: [{ name: 'Bag', count: 6 }, { name: 'Trouser', count: 5 }] });
    expect(await (await call(`/v1/models/${modelId}/images/${first!.id}`, json({ category: 'Trouser' }, 'PATCH'))).json()).toMatchObject({ category: 'Trouser' });
    expect((await model(modelId)).categories).toEqual([{ name: 'Bag', count: 5 }, { name: 'Trouser', count: 6 }]);
    // A labelled image taken out of its class: the class is short again, and the state says so.
    const [bag] = await list(modelId, 'category=Bag');
    expect(await (await call(`/v1/models/${modelId}/images/${bag!.id}`, json({ category: null }, 'PATCH'))).json()).toMatchObject({ category: null });
    expect(await model(modelId)).toMatchObject({ state: 1, imageCount: 10, unlabeledCount: 6, categories: [{ name: 'Bag', count: 4 }, { name: 'Trouser', count: 6 }] });
    expect((await model(modelId)).status).toMatch(/short: Bag\)/);
  });

  it('does not train while a class is short, however many unlabelled images there are', async () => {
    const res = await call(`/v1/models/${modelId}/train`, json({}));
    expect(res.status).toBe(409);
    expect((await res.json()).detail).toMatch(/cannot be trained/);
  });

  it('refuses a label that is not a class, an unknown image and a body without category', async () => {
    const [img] = await list(modelId, 'labeled=false');
    const bad = await call(`/v1/models/${modelId}/images/${img!.id}`, json({ category: 'Sofa' }, 'PATCH'));
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].message).toMatch(/Bag, Trouser/);
    expect((await call(`/v1/models/${modelId}/images/00000000-0000-4000-8000-000000000000`, json({ category: 'Bag' }, 'PATCH'))).status).toBe(404);
    expect((await call(`/v1/models/${modelId}/images/not-a-uuid`, json({ category: 'Bag' }, 'PATCH'))).status).toBe(404);
    expect((await call(`/v1/models/${modelId}/images/${img!.id}`, json({}, 'PATCH'))).status).toBe(400);
    // Nothing changed.
    expect((await model(modelId)).unlabeledCount).toBe(6);
  });

  it('needs the train scope to label', async () => {
    const key = await (await call('/v1/keys', json({ name: 'reader', scopes: ['predict'] }))).json();
    const [img] = await list(modelId, 'labeled=false');
    const res = await fetch(`${t.baseUrl}/v1/models/${modelId}/images/${img!.id}`, { ...json({ category: 'Bag' }, 'PATCH'), headers: { authorization: t.auth(key.key), 'content-type': 'application/json' } });
    expect(res.status).toBe(403);
  });

  it('leaves the v2 API as it was: an upload still needs a category', async () => {
    const res = await call(`${V2}/UploadFile/`, { method: 'POST', body: form({ modelId }, unlabeledFiles.slice(2, 3)) });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/Pass the category as a form field/);
    const urls = await call(`${V2}/UploadUrls/`, { method: 'POST', body: urlencoded({ modelId, urls: `${imageBase}/coat0.jpeg` }) });
    expect(urls.status).toBe(400);
    // The v2 model lists only classes and their labelled counts.
    const v2 = await (await call(`${V2}/Model/?modelId=${modelId}`)).json();
    expect(v2.categories).toEqual([{ name: 'Bag', count: 4 }, { name: 'Trouser', count: 6 }]);
  });
});
