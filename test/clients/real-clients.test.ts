import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@tailor/config';
import { runCli } from '@tailor/client/src/cli';
import { NANONETS_FASHION_DIR } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';
import { captureStream, CLASSES, makeClassFolders, runProcess } from './client-fixtures';

/**
 * The multipart bodies real clients send, against a real server: Python `requests` (the NanoNets tutorial's five
 * scripts request for request, then dicts and lists of tuples, file objects and (name, bytes) tuples, with and
 * without content types), curl -F, and FormData (what browsers and Node's fetch send). Text fields arrive as plain
 * fields, as parts with an empty filename (`('', value)`) or as nameless octet-stream parts; all must be read.
 */
const SCRIPTS = path.join(REPO_ROOT, 'test', 'clients', 'tutorial-requests');
const V2 = '/api/v2/ImageCategorization';
const SHAPES = ['dict-file-object', 'dict-name-bytes', 'dict-with-content-types', 'dict-none-filename', 'list-of-tuples', 'list-of-tuples-text-first', 'data-and-files'];

let tailor: TestTailor;
let dir: string;
/** The model trained by the tutorial scripts; the prediction shapes run against it. */
let tutorialModel: string;
/** A model the upload shapes add to, each shape its own images. */
let uploadModel: string;
let nextCoat = 0;
const coats = readdirSync(path.join(NANONETS_FASHION_DIR, 'train', 'Coat')).sort();
const testImage = (cls: string) => path.join(NANONETS_FASHION_DIR, 'test', cls, readdirSync(path.join(NANONETS_FASHION_DIR, 'test', cls)).sort()[0]!);

/** Coat images never sent before, so every upload below must store exactly what it sends. */
function freshCoats(n: number): string[] {
  const out = coats.slice(nextCoat, nextCoat + n).map((f) => path.join(NANONETS_FASHION_DIR, 'train', 'Coat', f));
  nextCoat += n;
  return out;
}

beforeAll(async () => {
  tailor = await startTestTailor({ TAILOR_TRAIN_TIME_BUDGET_S: '5', TAILOR_MIN_IMAGES_PER_CLASS: '5' });
  dir = await mkdtemp(path.join(os.tmpdir(), 'tailor-real-clients-'));
  const res = await api('/v1/models', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ categories: ['Coat', 'Bag'] }) });
  uploadModel = (await res.json()).id;
}, 60_000);

afterAll(async () => {
  await tailor?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function api(p: string, init: RequestInit = {}) {
  return fetch(tailor.baseUrl + p, { ...init, headers: { authorization: tailor.auth(), ...(init.headers as object) } });
}

async function coatCount(): Promise<number> {
  const m = await (await api(`${V2}/Model/?modelId=${uploadModel}`)).json();
  return m.categories.find((c: { name: string }) => c.name === 'Coat').count;
}

function python(script: string, args: string[], env: Record<string, string> = {}) {
  return runProcess('python3', [path.join(SCRIPTS, script), ...args], { NANONETS_API_KEY: tailor.key, PYTHONDONTWRITEBYTECODE: '1', ...env }, dir);
}

/** The response of a shape script: its status line, then the body. */
function reply(out: { code: number | null; stdout: string; stderr: string }) {
  expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
  const [status, ...rest] = out.stdout.split('\n');
  return { status: Number(status), body: JSON.parse(rest.join('\n')) };
}

function curl(args: string[]) {
  return runProcess('curl', ['-sS', '-u', `${tailor.key}:`, '-w', '\n%{http_code}', ...args], {}, dir).then((out) => {
    expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = out.stdout.split('\n');
    return { status: Number(lines.pop()), body: JSON.parse(lines.join('\n')) };
  });
}

/** Every file of a v2 upload was stored, and the category grew by exactly that many. */
async function expectStored(res: { status: number; body: any }, files: string[], before: number) {
  expect({ status: res.status, body: res.body }).toMatchObject({ status: 200, body: { message: 'Success' } });
  expect(res.body.result.map((r: { file: string; status: string }) => [r.file, r.status])).toEqual(files.map((f) => [path.basename(f), 'stored']));
  expect(await coatCount()).toBe(before + files.length);
}

describe("the NanoNets tutorial's five scripts, request for request (Python requests)", () => {
  test('create, upload every image, train, watch the state, predict', async () => {
    const trainDir = await makeClassFolders(path.join(dir, 'images', 'train'), 'train', 8);
    const env = { BASE_URL: `${tailor.baseUrl}${V2}/`, CATEGORIES: CLASSES.join(',') };
    const created = await python('create_model.py', [], env);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    tutorialModel = created.stdout.trim();
    expect(tutorialModel).toMatch(/^[0-9a-f-]{36}$/);
    const withModel = { ...env, NANONETS_MODEL_ID: tutorialModel };

    const uploaded = await python('upload_training.py', [trainDir], withModel);
    expect(uploaded).toEqual({ code: 0, stdout: 'sent 24, failed 0\n', stderr: '' });
    const model = await (await api(`${V2}/Model/?modelId=${tutorialModel}`)).json();
    expect(model.categories).toEqual(CLASSES.map((name) => ({ name, count: 8 })));

    const trained = await python('train_model.py', [], withModel);
    expect(trained.stdout).toMatch(/^200 \{.*"state": [345]/);

    let state = '';
    for (let i = 0; i < 600 && !state.startsWith('5 '); i++) {
      state = (await python('model_state.py', [], withModel)).stdout;
      if (!state.startsWith('5 ')) await new Promise((r) => setTimeout(r, 500));
    }
    expect(state).toBe('5 Model trained and hosted, ready for prediction\n');

    for (const cls of CLASSES) {
      const predicted = await python('prediction.py', [testImage(cls)], withModel);
      expect(predicted).toEqual({ code: 0, stdout: `The predicted label is: ${cls}\n`, stderr: '' });
    }
  }, 300_000);
});

describe('Python requests: every multipart shape', () => {
  test.each(SHAPES)('UploadFile/ (flat URL, modelId in the form): %s', async (shape) => {
    const files = freshCoats(shape.startsWith('dict') ? 1 : 2);
    const before = await coatCount();
    const out = await python('request_shapes.py', [shape, `${tailor.baseUrl}${V2}/UploadFile/`, ...files], { MODEL_ID: uploadModel, CATEGORY: 'Coat' });
    await expectStored(reply(out), files, before);
  });

  test.each(['dict-file-object', 'list-of-tuples-text-first'])('Model/<id>/UploadFile/ (path style): %s', async (shape) => {
    const files = freshCoats(1);
    const before = await coatCount();
    const out = await python('request_shapes.py', [shape, `${tailor.baseUrl}${V2}/Model/${uploadModel}/UploadFile/`, ...files], { CATEGORY: 'Coat' });
    await expectStored(reply(out), files, before);
  });

  test.each(SHAPES)('/v1/models/<id>/images (category in the form): %s', async (shape) => {
    const sent = freshCoats(shape.startsWith('dict') ? 1 : 2);
    const before = await coatCount();
    const res = reply(await python('request_shapes.py', [shape, `${tailor.baseUrl}/v1/models/${uploadModel}/images`, ...sent], { CATEGORY: 'Coat' }));
    expect(res).toMatchObject({ status: 200, body: { stored: sent.length, rejected: 0 } });
    expect(await coatCount()).toBe(before + sent.length);
  });

  test.each(SHAPES)('LabelFile/ (modelId in the form): %s', async (shape) => {
    const images = shape.startsWith('dict') ? [testImage('Sneaker')] : [testImage('Sneaker'), testImage('Trouser')];
    const res = reply(await python('request_shapes.py', [shape, `${tailor.baseUrl}${V2}/LabelFile/`, ...images], { MODEL_ID: tutorialModel }));
    expect(res).toMatchObject({ status: 200, body: { message: 'Success' } });
    expect(res.body.result.map((r: { file: string }) => r.file)).toEqual(images.map((f) => path.basename(f)));
    for (const r of res.body.result) expect(r.prediction.map((p: { label: string }) => p.label).sort()).toEqual([...CLASSES].sort());
  });

  test.each(['list-of-tuples', 'data-and-files', 'dict-name-bytes'])('/v1/models/<id>/predict: %s', async (shape) => {
    const images = shape.startsWith('dict') ? [testImage('Bag')] : [testImage('Bag'), testImage('Sneaker')];
    const res = reply(await python('request_shapes.py', [shape, `${tailor.baseUrl}/v1/models/${tutorialModel}/predict`, ...images]));
    expect(res).toMatchObject({ status: 200, body: { modelId: tutorialModel, version: 1 } });
    expect(res.body.predictions.map((p: { ok: boolean }) => p.ok)).toEqual(images.map(() => true));
  });
});

describe('curl -F', () => {
  test('fields as plain parts, the file with and without ;type=', async () => {
    for (const type of ['', ';type=image/jpeg']) {
      const files = freshCoats(1);
      const before = await coatCount();
      const res = await curl(['-F', `file=@${files[0]}${type}`, '-F', 'category=Coat', '-F', `modelId=${uploadModel}`, `${tailor.baseUrl}${V2}/UploadFile/`]);
      await expectStored(res, files, before);
    }
  });

  test('fields with ;type=text/plain, fields first, --form-string, several files', async () => {
    const files = freshCoats(2);
    const before = await coatCount();
    const res = await curl([
      '-F', 'category=Coat;type=text/plain',
      '--form-string', `modelId=${uploadModel}`,
      '-F', `file=@${files[0]};type=image/jpeg`,
      '-F', `file=@${files[1]}`,
      `${tailor.baseUrl}${V2}/UploadFile/`,
    ]);
    await expectStored(res, files, before);
  });

  test('LabelFile/ and /v1 predict', async () => {
    const label = await curl(['-F', `file=@${testImage('Trouser')}`, '-F', `modelId=${tutorialModel};type=text/plain`, `${tailor.baseUrl}${V2}/LabelFile/`]);
    expect(label).toMatchObject({ status: 200, body: { message: 'Success', result: [{ file: path.basename(testImage('Trouser')) }] } });
    const v1 = await curl(['-F', `file=@${testImage('Bag')};type=image/jpeg`, `${tailor.baseUrl}/v1/models/${tutorialModel}/predict?topK=2`]);
    expect(v1).toMatchObject({ status: 200, body: { predictions: [{ ok: true, prediction: [expect.anything(), expect.anything()] }] } });
  });
});

describe('FormData (browsers, Node fetch)', () => {
  const bytesOf = (f: string) => readFile(f).then((b) => new Uint8Array(b));

  test('string fields before or after a named Blob, with and without a type', async () => {
    for (const order of ['fields-first', 'file-first']) {
      const files = freshCoats(1);
      const before = await coatCount();
      const fd = new FormData();
      const file = new Blob([await bytesOf(files[0]!)], order === 'file-first' ? {} : { type: 'image/jpeg' });
      if (order === 'file-first') fd.append('file', file, path.basename(files[0]!));
      fd.append('modelId', uploadModel);
      fd.append('category', 'Coat');
      if (order === 'fields-first') fd.append('file', file, path.basename(files[0]!));
      const res = await api(`${V2}/UploadFile/`, { method: 'POST', body: fd });
      await expectStored({ status: res.status, body: await res.json() }, files, before);
    }
  });

  test('text fields appended as nameless Blobs (octet-stream parts without a filename)', async () => {
    const files = freshCoats(1);
    const before = await coatCount();
    const fd = new FormData();
    fd.append('modelId', new Blob([uploadModel]), '');
    fd.append('category', new Blob(['Coat']), '');
    fd.append('file', new File([await bytesOf(files[0]!)], path.basename(files[0]!), { type: 'image/jpeg' }));
    const res = await api(`${V2}/UploadFile/`, { method: 'POST', body: fd });
    await expectStored({ status: res.status, body: await res.json() }, files, before);
  });

  test('LabelFile/ with several files', async () => {
    const fd = new FormData();
    fd.append('modelId', tutorialModel);
    for (const cls of CLASSES) fd.append('file', new Blob([await bytesOf(testImage(cls))], { type: 'image/jpeg' }), `${cls}.jpg`);
    const res = await api(`${V2}/LabelFile/`, { method: 'POST', body: fd });
    expect(res.status).toBe(200);
    expect((await res.json()).result.map((r: { file: string }) => r.file)).toEqual(CLASSES.map((c) => `${c}.jpg`));
  });
});

describe('the tailor CLI', () => {
  async function cli(args: string[]) {
    const stdout = captureStream();
    const stderr = captureStream();
    const code = await runCli(args, { TAILOR_URL: tailor.baseUrl, TAILOR_API_KEY: tailor.key }, stdout, stderr);
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  test('models create --from and upload follow symlinked class folders and files', async () => {
    // The dataset is links: one class folder linked whole, the other a real folder of linked files.
    const real = await makeClassFolders(path.join(dir, 'kept-elsewhere'), 'train', 6);
    const linked = path.join(dir, 'linked-dataset');
    await mkdir(path.join(linked, 'Trouser'), { recursive: true });
    await symlink(path.join(real, 'Bag'), path.join(linked, 'Bag'));
    for (const f of readdirSync(path.join(real, 'Trouser'))) await symlink(path.join(real, 'Trouser', f), path.join(linked, 'Trouser', f));
    const created = await cli(['models', 'create', '--from', linked]);
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    const m = await (await api(`/v1/models/${id}`)).json();
    expect(m.categories.map((c: { name: string }) => c.name)).toEqual(['Bag', 'Trouser']);
    const up = await cli(['upload', linked, '--model', id]);
    expect(up.code).toBe(0);
    expect((await (await api(`/v1/models/${id}`)).json()).imageCount).toBe(12);
  });

  test('predict --version N names a version, not a file', async () => {
    const ok = await cli(['predict', '--version', '1', testImage('Bag'), '--model', tutorialModel]);
    expect(ok).toMatchObject({ code: 0, stderr: `model ${tutorialModel}, version 1\n` });
    expect(ok.stdout).toContain(testImage('Bag'));
    const missing = await cli(['predict', '--version', '2', testImage('Bag'), '--model', tutorialModel]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Version 2 not found/);
  });
});
