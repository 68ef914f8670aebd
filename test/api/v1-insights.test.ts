import sharp from 'sharp';
import { fashionImages, form } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';

/**
 * A training run audits its data and ranks the unlabelled images for labelling; the API serves both read against the
 * images as they are now. A Bag filed under Trouser is a likely label error with Bag suggested, a Sandal stored again
 * (same pixels, another file) under Bag is a cross-class conflict, and relabelling takes an image off the lists.
 */
describe('v1: dataset audit and "label these next"', () => {
  let t: TestTailor;
  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_TRAIN_TIME_BUDGET_S: '5', TAILOR_WORKER_CONCURRENCY: '1' });
  });
  afterAll(async () => t?.stop());
  const call = (p: string, init: RequestInit = {}, key?: string) => fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(key), ...(init.headers as object) } });
  const json = (body: unknown, method = 'POST') => ({ method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const CLASSES = ['Bag', 'Trouser', 'Sandal'];

  async function upload(modelId: string, fields: Record<string, string>, files: Array<{ name: string; bytes: Buffer; type?: string }>) {
    const res = await call(`/v1/models/${modelId}/images`, { method: 'POST', body: form(fields, files) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.stored).toBe(files.length);
    return (body.results as Array<{ imageId: string }>).map((r) => r.imageId);
  }
  async function waitRun(modelId: string, runId: string) {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const run = await (await call(`/v1/models/${modelId}/runs/${runId}`)).json();
      if (['succeeded', 'failed', 'canceled'].includes(run.status) || Date.now() > deadline) return run;
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  let modelId: string;
  let flipped: string;
  let sandal: string;
  let copy: string;
  let unlabeled: string[];

  it('answers 409 before the first run', async () => {
    modelId = (await (await call('/v1/models', json({ categories: CLASSES }))).json()).id;
    for (const path of ['audit', 'suggestions']) {
      const res = await call(`/v1/models/${modelId}/${path}`);
      expect(res.status).toBe(409);
      expect(JSON.stringify(await res.json())).toMatch(/no trained version/);
    }
  });

  it('a run audits the labelled images and ranks the unlabelled ones', async () => {
    const bags = fashionImages('train', 'Bag', 9);
    const sandals = fashionImages('train', 'Sandal', 8);
    await upload(modelId, { category: 'Bag' }, bags.slice(0, 8));
    await upload(modelId, { category: 'Trouser' }, fashionImages('train', 'Trouser', 8));
    [sandal] = await upload(modelId, { category: 'Sandal' }, sandals.slice(0, 1));
    await upload(modelId, { category: 'Sandal' }, sandals.slice(1));
    // A Bag filed under Trouser, and the first Sandal again (its pixels, as PNG: other bytes) filed under Bag.
    [flipped] = await upload(modelId, { category: 'Trouser' }, bags.slice(8, 9));
    const png = await sharp(sandals[0]!.bytes).png().toBuffer();
    [copy] = await upload(modelId, { category: 'Bag' }, [{ name: 'sandal-copy.png', bytes: png, type: 'image/png' }]);
    unlabeled = await upload(modelId, {}, CLASSES.flatMap((c) => fashionImages('test', c, 3)));

    const run = await (await call(`/v1/models/${modelId}/train`, json({ seed: 1 }))).json();
    const done = await waitRun(modelId, run.id);
    expect(done).toMatchObject({ status: 'succeeded' });

    const res = await call(`/v1/models/${modelId}/audit`);
    expect(res.status).toBe(200);
    const audit = await res.json();
    expect(audit.version).toBe(1);
    // The copy across classes: an exact duplicate and a label conflict.
    const group = audit.duplicates.find((g: { images: Array<{ imageId: string }> }) => g.images.some((i) => i.imageId === copy));
    expect(group).toMatchObject({ kind: 'exact', conflict: true });
    expect(group.images.map((i: { imageId: string }) => i.imageId).sort()).toEqual([sandal, copy].sort());
    expect(group.images.map((i: { label: string }) => i.label).sort()).toEqual(['Bag', 'Sandal']);
    // The Bag under Trouser: a label error, Bag suggested.
    const err = audit.labelErrors.find((e: { imageId: string }) => e.imageId === flipped);
    expect(err).toMatchObject({ label: 'Trouser', suggestedLabel: 'Bag' });
    expect(err.confidence).toBeGreaterThan(0.5);
    expect(err.labelProbability).toBeLessThan(0.5);
    // Errors ranked most likely first, and few of them: the clean images are not flagged wholesale.
    expect(audit.labelErrors.length).toBeLessThanOrEqual(6);
    expect(Array.isArray(audit.outliers)).toBe(true);
    for (const o of audit.outliers) expect(typeof o.imageId).toBe('string');
    expect(audit.classBalance).toBeDefined();
    expect(JSON.stringify(audit.classBalance)).toMatch(/Trouser/);
    expect(audit).toMatchObject({ resolved: 0, notAudited: 0 });
    expect(audit.method.labelErrors).toMatch(/out-of-fold/);
  }, 400_000);

  it('serves the n most useful unlabelled images with the predicted label and why', async () => {
    const res = await call(`/v1/models/${modelId}/suggestions?n=5`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.suggestions).toHaveLength(5);
    expect(body.remaining).toBe(9);
    expect(body.notRanked).toBe(0);
    body.suggestions.forEach((s: { imageId: string; rank: number; predicted: { label: string; probability: number }; reason: string }, i: number) => {
      expect(unlabeled).toContain(s.imageId);
      expect(s.rank).toBe(i + 1);
      expect(CLASSES).toContain(s.predicted.label);
      expect(s.predicted.probability).toBeGreaterThan(0);
      expect(s.reason).toMatch(/the model/);
    });
    expect(new Set(body.suggestions.map((s: { imageId: string }) => s.imageId)).size).toBe(5);
    expect((await call(`/v1/models/${modelId}/suggestions?n=0`)).status).toBe(400);
  });

  it('takes a relabelled image off the audit and a labelled one off the suggestions', async () => {
    expect((await call(`/v1/models/${modelId}/images/${flipped}`, json({ category: 'Bag' }, 'PATCH'))).status).toBe(200);
    const audit = await (await call(`/v1/models/${modelId}/audit`)).json();
    expect(audit.labelErrors.map((e: { imageId: string }) => e.imageId)).not.toContain(flipped);
    expect(audit.resolved).toBeGreaterThanOrEqual(1);

    const before = await (await call(`/v1/models/${modelId}/suggestions?n=5`)).json();
    const first = before.suggestions[0];
    expect((await call(`/v1/models/${modelId}/images/${first.imageId}`, json({ category: first.predicted.label }, 'PATCH'))).status).toBe(200);
    const after = await (await call(`/v1/models/${modelId}/suggestions?n=5`)).json();
    expect(after.remaining).toBe(before.remaining - 1);
    expect(after.suggestions.map((s: { imageId: string }) => s.imageId)).not.toContain(first.imageId);
    expect(after.suggestions[0].imageId).toBe(before.suggestions[1].imageId);

    // Deleting one side of the conflict leaves no duplicate group.
    expect((await call(`/v1/models/${modelId}/images/${copy}`, { method: 'DELETE' })).status).toBe(204);
    const later = await (await call(`/v1/models/${modelId}/audit`)).json();
    expect(later.duplicates.some((g: { images: Array<{ imageId: string }> }) => g.images.some((i) => i.imageId === sandal))).toBe(false);
  });

  it('needs the predict scope, and the model of the caller', async () => {
    const trainOnly = await (await call('/v1/keys', json({ name: 'uploader', scopes: ['train'] }))).json();
    const reader = await (await call('/v1/keys', json({ name: 'reader', scopes: ['predict'] }))).json();
    for (const path of ['audit', 'suggestions']) {
      expect((await call(`/v1/models/${modelId}/${path}`, {}, trainOnly.key)).status).toBe(403);
      expect((await call(`/v1/models/${modelId}/${path}`, {}, reader.key)).status).toBe(200);
      expect((await fetch(`${t.baseUrl}/v1/models/${modelId}/${path}`)).status).toBe(401);
      expect((await call(`/v1/models/00000000-0000-4000-8000-000000000000/${path}`)).status).toBe(404);
    }
  });
});
