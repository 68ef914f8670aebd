import { fashionImages, form } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';

/**
 * A run trains on the images it was queued with, whatever is uploaded while it queues or runs; deleting an image or a
 * model removes its files from the blob store — artifacts, projector cache, and the image blobs no other model shares.
 */
describe('v1: a run trains on its snapshot; deleting a model deletes its files', () => {
  let t: TestTailor;
  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_TRAIN_TIME_BUDGET_S: '5', TAILOR_WORKER_CONCURRENCY: '1' });
  });
  afterAll(async () => t?.stop());
  const call = (p: string, init: RequestInit = {}) => fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });
  const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const CLASSES = ['Bag', 'Trouser', 'Sandal'];

  async function newModel() {
    return (await (await call('/v1/models', json({ categories: CLASSES }))).json()).id as string;
  }
  async function upload(modelId: string, cls: string, files: Array<{ name: string; bytes: Buffer }>) {
    const res = await call(`/v1/models/${modelId}/images`, { method: 'POST', body: form({ category: cls }, files) });
    expect(res.status).toBe(200);
    return (await res.json()).results as Array<{ imageId: string; sha256: string }>;
  }
  async function waitRun(modelId: string, runId: string) {
    const deadline = Date.now() + 240_000;
    for (;;) {
      const run = await (await call(`/v1/models/${modelId}/runs/${runId}`)).json();
      if (['succeeded', 'failed', 'canceled'].includes(run.status) || Date.now() > deadline) return run;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  async function keys(prefix: string) {
    const out: string[] = [];
    for await (const k of t.running.infra.blobs.list(prefix)) out.push(k);
    return out.sort();
  }

  let modelA: string;
  let versionA: { id: string; number: number };

  it('uploads arriving while a run is queued and running are not in it: imageCount is what it trained on', async () => {
    modelA = await newModel();
    for (const cls of CLASSES) await upload(modelA, cls, fashionImages('train', cls, 6));
    // Another model's run ahead of it on the one worker slot keeps A's run queued while images arrive.
    const blockerModel = await newModel();
    for (const cls of CLASSES) await upload(blockerModel, cls, fashionImages('test', cls, 6));
    const blocker = await (await call(`/v1/models/${blockerModel}/train`, json({ seed: 3 }))).json();
    const started = await call(`/v1/models/${modelA}/train`, json({ seed: 3 }));
    expect(started.status).toBe(202);
    const run = await started.json();
    expect(run.imageCount).toBe(18);
    // More images of every class while the run is queued, then while it runs.
    expect((await (await call(`/v1/models/${modelA}/runs/${run.id}`)).json()).status).toBe('queued');
    for (const cls of CLASSES) await upload(modelA, cls, fashionImages('train', cls, 8).slice(6));
    expect((await (await call(`/v1/models/${modelA}/runs/${run.id}`)).json()).status).toBe('queued');
    expect(await waitRun(blockerModel, blocker.id)).toMatchObject({ status: 'succeeded' });
    expect((await call(`/v1/models/${blockerModel}`, { method: 'DELETE' })).status).toBe(204);
    for (let i = 0; i < 300 && (await (await call(`/v1/models/${modelA}/runs/${run.id}`)).json()).status === 'queued'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const cls of CLASSES) await upload(modelA, cls, fashionImages('train', cls, 10).slice(8));
    const done = await waitRun(modelA, run.id);
    expect(done).toMatchObject({ status: 'succeeded', imageCount: 18 });
    const version = await (await call(`/v1/models/${modelA}/versions/${done.versionId}`)).json();
    // The out-of-fold evaluation scores every image the run trained on: the 18 it was queued with.
    expect(version.metrics.count).toBe(18);
    versionA = version;
    const recorded = await t.running.infra.db.trainingRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(recorded.imageIds).toHaveLength(18);
    const listed = await (await call(`/v1/models/${modelA}/images?limit=1000`)).json();
    expect(listed.images).toHaveLength(30);

    // The next run takes everything there is now.
    const next = await (await call(`/v1/models/${modelA}/train`, json({ seed: 3 }))).json();
    expect(next.imageCount).toBe(30);
    const nextDone = await waitRun(modelA, next.id);
    expect(nextDone).toMatchObject({ status: 'succeeded', imageCount: 30 });
    expect((await (await call(`/v1/models/${modelA}/versions/${nextDone.versionId}`)).json()).metrics.count).toBe(30);
  }, 300_000);

  it('a run drops images deleted while it was queued, and says so in imageCount', async () => {
    const model = await newModel();
    const ids: string[] = [];
    for (const cls of CLASSES) ids.push(...(await upload(model, cls, fashionImages('test', cls, 7))).map((r) => r.imageId));
    // A run ahead of this one keeps it queued while an image is deleted.
    const blocker = await (await call(`/v1/models/${modelA}/train`, json({ seed: 1 }))).json();
    const run = await (await call(`/v1/models/${model}/train`, json({ seed: 1 }))).json();
    expect(run.imageCount).toBe(21);
    expect((await call(`/v1/models/${model}/runs/${run.id}`).then((r) => r.json())).status).toBe('queued');
    expect((await call(`/v1/models/${model}/images/${ids[0]}`, { method: 'DELETE' })).status).toBe(204);
    expect(await waitRun(modelA, blocker.id)).toMatchObject({ status: 'succeeded' });
    const done = await waitRun(model, run.id);
    expect(done).toMatchObject({ status: 'succeeded', imageCount: 20 });
    expect((await (await call(`/v1/models/${model}/versions/${done.versionId}`)).json()).metrics.count).toBe(20);
    expect((await call(`/v1/models/${model}`, { method: 'DELETE' })).status).toBe(204);
  }, 300_000);

  it('deleting an image or a model deletes its files (artifacts, projector cache, unshared image blobs); shared blobs stay', async () => {
    // Model B shares its Bag images' bytes with model A; its other images are its own.
    const modelB = await newModel();
    const shared = await upload(modelB, 'Bag', fashionImages('train', 'Bag', 3));
    const own = await upload(modelB, 'Sandal', fashionImages('test', 'Sandal', 3));
    const db = t.running.infra.db;
    const blobOf = async (modelId: string) => (await db.image.findMany({ where: { modelId }, select: { blobKey: true } })).map((i) => i.blobKey);
    const aBlobs = await blobOf(modelA);
    const bBlobs = await blobOf(modelB);
    const sharedBlobs = aBlobs.filter((k) => bBlobs.includes(k));
    expect(sharedBlobs).toHaveLength(3);

    // The projector cache of A's active version, so there is one to delete.
    const versions = (await (await call(`/v1/models/${modelA}/versions`)).json()).versions as Array<{ id: string }>;
    expect((await call(`/v1/models/${modelA}/versions/${versionA.number}/embeddings`)).status).toBe(200);
    expect((await keys('projector/versions/')).some((k) => k.startsWith(`projector/versions/${versionA.id}/`))).toBe(true);
    expect((await keys(`models/${modelA}/`)).length).toBeGreaterThan(0);
    // Deleting one image: its blob goes unless another model's image has the same bytes.
    const keyOf = async (imageId: string) => (await db.image.findUniqueOrThrow({ where: { id: imageId } })).blobKey;
    const [sharedKey, ownKey] = [await keyOf(shared[0]!.imageId), await keyOf(own[0]!.imageId)];
    expect((await call(`/v1/models/${modelB}/images/${shared[0]!.imageId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/v1/models/${modelB}/images/${own[0]!.imageId}`, { method: 'DELETE' })).status).toBe(204);
    expect(await keys(sharedKey)).toEqual([sharedKey]);
    expect(await keys(ownKey)).toEqual([]);
    shared.shift();
    own.shift();
    const stillShared = sharedBlobs.filter((k) => k !== sharedKey);

    const before = await keys('images/');
    for (const k of aBlobs) expect(before).toContain(k);

    expect((await call(`/v1/models/${modelA}`, { method: 'DELETE' })).status).toBe(204);
    expect(await keys(`models/${modelA}/`)).toEqual([]);
    for (const v of versions) expect(await keys(`projector/versions/${v.id}/`)).toEqual([]);
    const after = await keys('images/');
    expect(after).toEqual(before.filter((k) => !aBlobs.includes(k) || stillShared.includes(k)).sort());
    expect(after).not.toContain(sharedKey);
    // B still reads its shared images.
    for (const r of [...shared, ...own]) {
      const res = await call(`/v1/models/${modelB}/images/${r.imageId}`);
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }

    expect((await call(`/v1/models/${modelB}`, { method: 'DELETE' })).status).toBe(204);
    expect(await keys('images/')).toEqual([]);
    expect(await keys('models/')).toEqual([]);
  }, 300_000);
});
