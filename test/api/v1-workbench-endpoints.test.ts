import { verifyWebhook } from '@tailor/core';
import { fashionImages, form } from '../support/fixtures';
import { startWebhookReceiver, waitFor } from '../support/receivers';
import { startTestTailor, type TestTailor } from '../support/tailor';

/**
 * The small API additions the dashboard's workbench needs: the training options its form is built from, adding and
 * renaming a class, the fine-tuned architectures, a webhook test delivery, and the version comparison's errors
 * (its results need two trained versions: test/dashboard/workbench.test.ts reads them after real training).
 */
describe('v1 additions for the dashboard workbench', () => {
  let t: TestTailor;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  beforeAll(async () => {
    // The first test delivery is refused (503): the log must say so, and the retry then succeeds.
    hook = await startWebhookReceiver((n) => (n === 1 ? 503 : 204));
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '3', TAILOR_TRAIN_TIME_BUDGET_S: '42', TAILOR_MAX_TRAIN_TIME_BUDGET_S: '900', TAILOR_ALLOW_PRIVATE_URLS: 'true' });
  });
  afterAll(async () => {
    await t?.stop();
    await hook?.stop();
  });
  const call = (p: string, init: RequestInit = {}, key?: string) =>
    fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(key), ...(init.headers as object) } });
  const send = (method: string, body: unknown) => ({ method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const createModel = async (body: object) => call('/v1/models', send('POST', body));

  it('lists every architecture (fine-tuned ones included) and the settings a run reads, with bounds and defaults', async () => {
    expect((await fetch(`${t.baseUrl}/v1/training-options`)).status).toBe(401);
    const res = await call('/v1/training-options');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      architectures: Array<{ id: string; kind: string; backbone: string | null; description: string }>;
      settings: Array<{ name: string; type: string; min?: number; max?: number; options?: string[]; default: number | string; appliesTo: string[]; description: string }>;
      minImagesPerClass: number;
    };
    const ids = body.architectures.map((a) => a.id);
    expect(ids).toEqual(expect.arrayContaining(['auto', 'transfer:mobilenet_v2_1.0_224_quant', 'finetune:mobilenet_v2_1.0_224_quant', 'finetune:mobilenet_edgetpu_224_1.0_uint8', 'cnn1', 'cnn3', 'cnn4']));
    expect(body.architectures.every((a) => a.description.length > 10)).toBe(true);
    const byName = Object.fromEntries(body.settings.map((s) => [s.name, s]));
    // The service's own budget (from its configuration), the contract's bounds, the engine's defaults.
    // The budget's upper bound is the service's cap (TAILOR_MAX_TRAIN_TIME_BUDGET_S), below the contract's 3600.
    expect(byName.timeBudgetSeconds).toMatchObject({ type: 'integer', min: 5, max: 900, default: 42 });
    expect(byName.folds).toMatchObject({ type: 'integer', min: 2, max: 10, default: 5 });
    expect(byName.ensemble).toMatchObject({ type: 'choice', options: ['near-best', 'greedy'], default: 'greedy' });
    expect(byName.epochs).toMatchObject({ appliesTo: ['cnn'] });
    expect(body.settings.every((s) => s.description.length > 10)).toBe(true);
    expect(body.minImagesPerClass).toBe(3);
    // Every architecture listed is one a model can be created with.
    for (const id of ids) expect((await createModel({ categories: ['A', 'B'], architecture: id })).status).toBe(201);
  });

  it("accepts 'finetune:<backbone>' for the catalog's backbones only", async () => {
    const bad = await createModel({ categories: ['A', 'B'], architecture: 'finetune:resnet50' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify((await bad.json()).errors)).toMatch(/Unknown backbone.*finetune:mobilenet_v2_1\.0_224_quant/);
    expect((await createModel({ categories: ['A', 'B'], architecture: 'finetune:constructor' })).status).toBe(400);
    const made = await (await createModel({ categories: ['A', 'B'] })).json();
    const changed = await call(`/v1/models/${made.id}`, send('PATCH', { architecture: 'finetune:mobilenet_edgetpu_224_1.0_uint8' }));
    expect(changed.status).toBe(200);
    expect((await changed.json()).architecture).toBe('finetune:mobilenet_edgetpu_224_1.0_uint8');
  });

  it('adds a class and renames one; images follow the rename; duplicates, bad names and unknown classes are refused', async () => {
    const model = await (await createModel({ categories: ['Bag', 'Trouser'] })).json();
    const up = await call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({ category: 'Bag' }, fashionImages('train', 'Bag', 3)) });
    expect(up.status).toBe(200);

    const added = await call(`/v1/models/${model.id}/categories`, send('POST', { name: ' Sandal ' }));
    expect(added.status).toBe(201);
    expect((await added.json()).categories).toEqual([
      { name: 'Bag', count: 3 },
      { name: 'Trouser', count: 0 },
      { name: 'Sandal', count: 0 },
    ]);
    expect((await call(`/v1/models/${model.id}/categories`, send('POST', { name: 'Bag' }))).status).toBe(409);
    expect((await call(`/v1/models/${model.id}/categories`, send('POST', { name: 'a/b' }))).status).toBe(400);
    expect((await call(`/v1/models/${model.id}/categories`, send('POST', { name: '' }))).status).toBe(400);

    const renamed = await call(`/v1/models/${model.id}/categories/Bag`, send('PATCH', { name: 'Handbag' }));
    expect(renamed.status).toBe(200);
    const after = await renamed.json();
    expect(after.categories[0]).toEqual({ name: 'Handbag', count: 3 });
    const images = await (await call(`/v1/models/${model.id}/images?category=Handbag`)).json();
    expect(images.images).toHaveLength(3);
    // Uploads go to the new name; the old one is gone.
    const old = await call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({ category: 'Bag' }, fashionImages('train', 'Bag', 1)) });
    expect(old.status).toBe(400);
    expect((await call(`/v1/models/${model.id}/categories/Bag`, send('PATCH', { name: 'X' }))).status).toBe(404);
    expect((await call(`/v1/models/${model.id}/categories/Handbag`, send('PATCH', { name: 'Trouser' }))).status).toBe(409);
    // The status names the classes that still need images, under their current names.
    expect((await call(`/v1/models/${model.id}/categories/Sandal`, send('PATCH', { name: 'Sandals' }))).status).toBe(200);
    const status = (await (await call(`/v1/models/${model.id}`)).json()).status as string;
    expect(status).toMatch(/short: .*Sandals/);
    expect(status).not.toMatch(/Sandal\b/);
    // A predict-only key may read but not change classes; another account's model is not found.
    const predictKey = (await (await call('/v1/keys', send('POST', { scopes: ['predict'] }))).json()).key as string;
    expect((await call(`/v1/models/${model.id}/categories`, send('POST', { name: 'Coat' }), predictKey)).status).toBe(403);
    expect((await call(`/v1/models/00000000-0000-4000-8000-000000000000/categories`, send('POST', { name: 'Coat' }))).status).toBe(404);
  });

  it('sends a signed webhook.test delivery through the workers and logs each attempt', async () => {
    const created = await call('/v1/webhooks', send('POST', { url: hook.url }));
    expect(created.status).toBe(201);
    const webhook = await created.json();
    const test = await call(`/v1/webhooks/${webhook.id}/test`, { method: 'POST' });
    expect(test.status).toBe(202);
    const delivery = await test.json();
    expect(delivery).toMatchObject({ event: 'webhook.test', status: 'pending', attempts: 0 });

    const received = await waitFor(() => hook.received[1], 60_000, 'the retried test delivery');
    const first = hook.received[0]!;
    expect(first.body).toBe(received.body);
    expect(received.headers['x-tailor-event']).toBe('webhook.test');
    expect(received.headers['x-tailor-delivery']).toBe(delivery.id);
    expect(verifyWebhook(webhook.secret, received.body, String(received.headers['x-tailor-signature']), Math.floor(Date.now() / 1000))).toBe(true);
    expect(JSON.parse(received.body)).toMatchObject({ event: 'webhook.test', webhookId: webhook.id });

    let log: { status?: string } | undefined;
    for (const deadline = Date.now() + 30_000; log?.status !== 'delivered' && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
      log = (await (await call(`/v1/webhooks/${webhook.id}/deliveries`)).json()).deliveries[0];
    }
    expect(log).toMatchObject({ id: delivery.id, event: 'webhook.test', status: 'delivered', attempts: 2, responseCode: 204, error: null });
    expect((await call(`/v1/webhooks/00000000-0000-4000-8000-000000000000/test`, { method: 'POST' })).status).toBe(404);
    expect((await call(`/v1/webhooks/junk/test`, { method: 'POST' })).status).toBe(404);
  });

  it('answers 404 when comparing versions that do not exist', async () => {
    const model = await (await createModel({ categories: ['A', 'B'] })).json();
    expect((await call(`/v1/models/${model.id}/versions/1/compare/2`)).status).toBe(404);
    expect((await call(`/v1/models/${model.id}/versions/junk/compare/1`)).status).toBe(404);
    expect((await fetch(`${t.baseUrl}/v1/models/${model.id}/versions/1/compare/2`)).status).toBe(401);
  });
});
