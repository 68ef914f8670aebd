import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '@tailor/client/src/cli';
import { openTfjsBundle } from '@tailor/ml/src/export/run-tfjs-bundle';
import { unzipToMap } from '@tailor/storage';
import sharp from 'sharp';
import { captureStream } from '../clients/client-fixtures';
import { fashionImages, form, sampleImage } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';

/**
 * Exported models give the hosted answers: a version trained through the API, exported as ONNX (run offline by
 * `tailor run`, no server) and as TF.js (run by TF.js in Node), predicts every image of a test set with the same top-1
 * label as `/v1/models/:id/predict`, probabilities within 1e-4 (ONNX) and 1e-3 (TF.js). A transfer version and a
 * tutorial-CNN version.
 */
const CLASSES = ['Bag', 'Trouser', 'Sandal', 'Sneaker'];

interface Prediction {
  file: string;
  ok: boolean;
  label?: string;
  probability?: number;
  oodScore?: number;
  outOfDistribution?: boolean;
  uncertain?: boolean;
  prediction?: Array<{ label: string; probability: number }>;
}

describe('v1: exported models reproduce the hosted predictions', () => {
  let t: TestTailor;
  let dir: string;
  const testSet = [
    ...CLASSES.flatMap((c) => fashionImages('test', c, 6)),
    { name: 'parrot.jpg', bytes: sampleImage('parrot.jpg') },
    { name: 'hot_dog.jpg', bytes: sampleImage('hot_dog.jpg') },
  ];
  const files: string[] = [];

  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_TRAIN_TIME_BUDGET_S: '20' });
    dir = await mkdtemp(path.join(os.tmpdir(), 'tailor-export-'));
    // The files `tailor run` reads, under their test-set names (class prefix: the names repeat across classes).
    testSet.push({ name: 'parrot-alpha.png', bytes: await sharp(sampleImage('parrot.jpg')).resize(90, 70).ensureAlpha(0.4).png().toBuffer() });
    for (const [i, img] of testSet.entries()) {
      const file = path.join(dir, `${i}-${img.name}`);
      await writeFile(file, img.bytes);
      files.push(file);
    }
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const call = (p: string, init: RequestInit = {}) => fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });
  const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  async function cli(args: string[]) {
    const stdout = captureStream();
    const stderr = captureStream();
    const code = await runCli(args, { TAILOR_URL: t.baseUrl, TAILOR_API_KEY: t.key }, stdout, stderr);
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  async function trainedModel(body: Record<string, unknown>, perClass: number) {
    const model = await (await call('/v1/models', json({ categories: CLASSES, ...body }))).json();
    for (const c of CLASSES) {
      expect((await call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({ category: c }, fashionImages('train', c, perClass)) })).status).toBe(200);
    }
    const run = await (await call(`/v1/models/${model.id}/train`, json({ seed: 5 }))).json();
    const deadline = Date.now() + 280_000;
    let view;
    do {
      await new Promise((r) => setTimeout(r, 500));
      view = await (await call(`/v1/models/${model.id}/runs/${run.id}`)).json();
    } while (!['succeeded', 'failed'].includes(view.status) && Date.now() < deadline);
    expect({ status: view.status, error: view.error }).toEqual({ status: 'succeeded', error: null });
    return model.id as string;
  }

  async function hosted(modelId: string): Promise<Prediction[]> {
    const res = await call(`/v1/models/${modelId}/predict`, { method: 'POST', body: form({}, testSet) });
    expect(res.status).toBe(200);
    return (await res.json()).predictions;
  }

  /**
   * `uncertainBelow`: the version's per-class thresholds (from the bundle). A "not sure" flag is a threshold on a
   * probability, so an image whose top probability sits within `tol` of its class's threshold may fall on either side
   * in another runtime (the probabilities themselves are checked to `tol`); every other image must get the same flag.
   */
  function compare(want: Prediction[], got: Prediction[], uncertainBelow: number[] | null, tol: number) {
    let maxDp = 0;
    let agree = 0;
    let edge = 0;
    want.forEach((w, i) => {
      const g = got[i]!;
      expect(g.ok).toBe(true);
      const byLabel = new Map(g.prediction!.map((p) => [p.label, p.probability]));
      for (const p of w.prediction!) maxDp = Math.max(maxDp, Math.abs(p.probability - byLabel.get(p.label)!));
      if (w.label === g.label) agree++;
      expect(g.oodScore).toBeCloseTo(w.oodScore!, 3);
      expect(g.outOfDistribution).toBe(w.outOfDistribution);
      if (w.uncertain === undefined || g.uncertain === w.uncertain) return;
      const top = w.prediction![0]!;
      const atEdge = !w.outOfDistribution && uncertainBelow !== null && Math.abs(top.probability - uncertainBelow[CLASSES.indexOf(top.label)]!) < tol;
      expect({ file: w.file, uncertain: g.uncertain, atEdge }).toEqual({ file: w.file, uncertain: w.uncertain, atEdge: true });
      edge++;
    });
    return { maxDp, agree, n: want.length, edge };
  }

  async function checkParity(modelId: string, what: string) {
    const version = (await (await call(`/v1/models/${modelId}`)).json()).activeVersion;
    const want = await hosted(modelId);

    // ONNX: `tailor export`, then `tailor run` offline (the server plays no part in the prediction).
    const onnxZip = path.join(dir, `${what}-onnx.zip`);
    const exported = await cli(['export', modelId, '--format', 'onnx', '-o', onnxZip]);
    expect(exported).toMatchObject({ code: 0, stdout: `${onnxZip}\n` });
    const ran = await cli(['run', onnxZip, ...files, '--json']);
    expect(ran.code).toBe(0);
    const offline = JSON.parse(ran.stdout) as { modelId: string; version: number; predictions: Prediction[] };
    expect({ modelId: offline.modelId, version: offline.version }).toEqual({ modelId, version });
    expect(offline.predictions.map((p) => p.file)).toEqual(files);
    // The JSON shape of /v1 predict, entry for entry: every field the API answers with is there.
    want.forEach((p, i) => expect(Object.keys(offline.predictions[i]!)).toEqual(expect.arrayContaining(Object.keys(p))));

    // TF.js: the API's export, loaded by TF.js in Node with the service's preprocessing.
    const res = await call(`/v1/models/${modelId}/versions/${version}/export?format=tfjs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const bundle = await unzipToMap(Buffer.from(await res.arrayBuffer()));
    expect([...bundle.keys()].sort()).toEqual(expect.arrayContaining(['README.md', 'labels.json', 'model.json', 'preprocessing.json', 'weights.bin']));
    const tfjs = await openTfjsBundle(bundle);
    const inBrowserShape = await tfjs.predict(testSet);
    tfjs.dispose();
    const { uncertainBelow } = JSON.parse(bundle.get('preprocessing.json')!.toString()).decision as { uncertainBelow: number[] | null };
    const onnx = compare(want, offline.predictions, uncertainBelow, 1e-4);
    const tf = compare(want, inBrowserShape, uncertainBelow, 1e-3);

    console.log(`${what}: ONNX max |dp| ${onnx.maxDp.toExponential(2)}, top-1 ${onnx.agree}/${onnx.n}, flags at a threshold's edge ${onnx.edge}; TF.js max |dp| ${tf.maxDp.toExponential(2)}, top-1 ${tf.agree}/${tf.n}, at edge ${tf.edge}`);
    expect([onnx.agree, tf.agree]).toEqual([want.length, want.length]);
    expect(onnx.maxDp).toBeLessThan(1e-4);
    expect(tf.maxDp).toBeLessThan(1e-3);
    return bundle;
  }

  it('a transfer version: ONNX via `tailor run` and TF.js agree with the hosted model on every test image', async () => {
    const modelId = await trainedModel({ name: 'export parity' }, 10);
    const bundle = await checkParity(modelId, 'transfer');
    const card = bundle.get('README.md')!.toString();
    const version = await (await call(`/v1/models/${modelId}/versions/1`)).json();
    // The model card is the version's own record: its data, its candidates, its evaluation.
    expect(version.datasetSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(card).toContain(version.datasetSha256);
    for (const c of version.metrics.chosen.members as string[]) expect(card).toContain(c);
    for (const c of CLASSES) expect(card).toMatch(new RegExp(`\\| ${c} \\| 10 \\|`));
    expect(card).toContain('Seed 5');
    expect(card).toContain(`Accuracy ${(100 * version.metrics.accuracy).toFixed(2)}%`);
    expect(bundle.get('LICENSE-backbone-weights.txt')!.toString()).toContain('Apache License');
  }, 400_000);

  it('a tutorial CNN version (cnn3) exports and agrees too', async () => {
    const modelId = await trainedModel({ architecture: 'cnn3', settings: { epochs: 3 } }, 10);
    const bundle = await checkParity(modelId, 'cnn3');
    expect(JSON.parse(bundle.get('preprocessing.json')!.toString()).inputs.map((i: { name: string }) => i.name)).toEqual(['image_cnn_28']);
  }, 400_000);

  it('refuses an unknown format and a version that does not exist, in problem+json', async () => {
    const model = await (await call('/v1/models', json({ categories: CLASSES }))).json();
    const bad = await call(`/v1/models/${model.id}/versions/1/export?format=keras`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const missing = await call(`/v1/models/${model.id}/versions/1/export`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).detail).toMatch(/Version 1 not found/);
    const noVersion = await cli(['export', model.id, '--format', 'onnx']);
    expect(noVersion).toMatchObject({ code: 2, stderr: expect.stringContaining('no trained version') });
    const notBundle = await cli(['run', files[0]!, files[1]!]);
    expect(notBundle).toMatchObject({ code: 2, stderr: expect.stringContaining('not a zip archive') });
  });
});
