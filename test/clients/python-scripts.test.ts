import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@tailor/config';
import { freePort } from '../support/server-process';
import { startTestTailor, type TestTailor } from '../support/tailor';
import { CLASSES, makeClassFolders, runProcess, writeCorruptJpeg } from './client-fixtures';

/**
 * clients/python run with python3 against a real server. The tutorial test covers the happy path step by step; this
 * covers resuming, rejections, --wait and the exit codes a script relies on (same as the CLI's).
 */
const PY = path.join(REPO_ROOT, 'clients', 'python');
let tailor: TestTailor;
let dir: string;
let trainDir: string;

beforeAll(async () => {
  tailor = await startTestTailor({ TAILOR_TRAIN_TIME_BUDGET_S: '5', TAILOR_MIN_IMAGES_PER_CLASS: '5' });
  dir = await mkdtemp(path.join(os.tmpdir(), 'tailor-python-test-'));
  trainDir = await makeClassFolders(path.join(dir, 'train'), 'train', 8);
}, 60_000);

afterAll(async () => {
  await tailor?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function py(script: string, args: string[], env: Record<string, string> = {}) {
  return runProcess('python3', [path.join(PY, script), ...args], { TAILOR_URL: tailor.baseUrl, NANONETS_API_KEY: tailor.key, PYTHONDONTWRITEBYTECODE: '1', ...env }, dir);
}

test('create, upload with a rejected file, resume, train --wait, state, predict with a bad file', async () => {
  const created = await py('create-model.py', [trainDir]);
  expect(created.code).toBe(0);
  const modelId = created.stdout.trim();
  expect(modelId).toMatch(/^[0-9a-f-]{36}$/);
  const env = { NANONETS_MODEL_ID: modelId };

  // Partial first attempt: one class only (as if interrupted), then the whole folder with one unreadable file.
  const onlyBags = await makeClassFolders(path.join(dir, 'partial'), 'train', 8, ['Bag']);
  expect((await py('upload-training.py', [onlyBags], env)).stdout).toContain('uploaded 8 new');
  await writeCorruptJpeg(path.join(trainDir, 'Trouser', 'zz-broken.jpg'));
  const upload = await py('upload-training.py', [trainDir], env);
  expect(upload.code).toBe(5);
  expect(upload.stdout).toBe('uploaded 16 new, skipped 8 already uploaded, 0 duplicates, 1 rejected (25 images in 3 classes)\n');
  expect(upload.stderr).toMatch(/rejected Trouser\/zz-broken\.jpg: .*image/i);
  await rm(path.join(trainDir, 'Trouser', 'zz-broken.jpg'));

  const state0 = await py('model-state.py', [], env);
  expect(state0).toMatchObject({ code: 0, stdout: '2 Training data uploaded, ready to train\n' });

  const train = await py('train-model.py', ['--seed', '4', '--wait'], env);
  expect(train.code).toBe(0);
  expect(train.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
  expect(train.stderr).toMatch(/running: \w+ \d+%/);
  expect(train.stderr.trim().split('\n').pop()).toMatch(/^succeeded: done 100%/);

  const state = await py('model-state.py', ['--wait'], env);
  expect(state).toMatchObject({ code: 0, stdout: '5 Model trained and hosted, ready for prediction\n' });

  const testDir = await makeClassFolders(path.join(dir, 'test'), 'test', 1);
  const images = CLASSES.map((c) => path.join(testDir, c, readdirSync(path.join(testDir, c))[0]!));
  const broken = await writeCorruptJpeg(path.join(dir, 'broken.jpg'));
  const predicted = await py('prediction.py', [...images, broken], env);
  expect(predicted.code).toBe(5);
  const lines = predicted.stdout.trim().split('\n');
  expect(lines.slice(0, 3).map((l) => l.split(/\s+/).slice(0, 2))).toEqual(images.map((img, i) => [img, CLASSES[i]]));
  expect(lines[3]).toMatch(new RegExp(`^${broken}  ERROR  \\S`));
  const json = await py('prediction.py', ['--json', images[0]!], env);
  expect(JSON.parse(json.stdout).predictions[0]).toMatchObject({ ok: true, label: 'Bag', prediction: expect.any(Array) });
});

test('exit codes: 2 usage or configuration, 1 API error, 4 unreachable', async () => {
  expect(await py('model-state.py', [], { NANONETS_API_KEY: '' })).toMatchObject({ code: 2, stderr: expect.stringContaining('TAILOR_API_KEY') });
  expect(await py('model-state.py', [])).toMatchObject({ code: 2, stderr: expect.stringContaining('NANONETS_MODEL_ID') });
  expect(await py('create-model.py', ['OnlyOne'])).toMatchObject({ code: 2 });
  expect(await py('prediction.py', [])).toMatchObject({ code: 2 });

  const missing = await py('model-state.py', [], { NANONETS_MODEL_ID: 'no-such-model' });
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/model-state\.py: Model no-such-model not found \[HTTP 404 not_found, request \S+\]/);
  const badKey = await py('model-state.py', [], { NANONETS_MODEL_ID: 'x', NANONETS_API_KEY: 'tl_wrong' });
  expect(badKey).toMatchObject({ code: 1, stderr: expect.stringContaining('HTTP 401') });

  const model = (await py('create-model.py', ['Bag', 'Sneaker'])).stdout.trim();
  const wrongClasses = await py('upload-training.py', [trainDir], { NANONETS_MODEL_ID: model });
  expect(wrongClasses).toMatchObject({ code: 2, stderr: expect.stringContaining('folder classes not in model') });

  const unreachable = await py('model-state.py', [], { NANONETS_MODEL_ID: 'x', TAILOR_URL: `http://127.0.0.1:${await freePort()}` });
  expect(unreachable).toMatchObject({ code: 4, stderr: expect.stringContaining('cannot reach') });
});
