import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '@tailor/client/src/cli';
import { unzipToMap, writeZip } from '@tailor/storage';
import sharp from 'sharp';
import { captureStream } from '../clients/client-fixtures';
import { truncated } from '../support/broken-images';
import { fashionImages, form } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';

/**
 * Datasets leave and come back: GET /v1/models/:id/dataset.zip (class folders of the original files + manifest.csv)
 * and POST /v1/models/import give a new model with the same categories and byte-identical images; a version records
 * the manifest hash of the images it trained on. Imports hold every file to the upload checks, and a bad zip is a 400
 * (413 past the size cap) with nothing written.
 */
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The canonical manifest, computed here from its definition (README, "Datasets"), not by the service's code. */
const manifestHash = (images: Array<{ category: string | null; sha256: string }>) =>
  sha(images.map((i) => `${i.sha256},${/[",\r\n]/.test(i.category ?? '') ? `"${i.category!.replace(/"/g, '""')}"` : (i.category ?? '')}\n`).sort().join(''));

describe('v1: dataset export and import', () => {
  let t: TestTailor;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tailor-dataset-'));
  const MAX_IMPORT = 400_000;
  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_MAX_IMPORT_BYTES: String(MAX_IMPORT) });
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const call = (p: string, init: RequestInit = {}) => fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });
  const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const importZip = (zip: Buffer, query = '') => {
    const fd = new FormData();
    fd.append('file', new Blob([new Uint8Array(zip)], { type: 'application/zip' }), 'dataset.zip');
    return call(`/v1/models/import${query}`, { method: 'POST', body: fd });
  };
  async function cli(args: string[]) {
    const stdout = captureStream();
    const stderr = captureStream();
    const code = await runCli(args, { TAILOR_URL: t.baseUrl, TAILOR_API_KEY: t.key }, stdout, stderr);
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }
  /** Every image of a model with its category and bytes, fetched through the API. */
  async function contents(modelId: string) {
    const { images } = await (await call(`/v1/models/${modelId}/images?limit=1000`)).json();
    return Promise.all(
      (images as Array<{ id: string; category: string | null; sha256: string; filename: string }>).map(async (i) => ({
        ...i,
        bytes: Buffer.from(await (await call(`/v1/models/${modelId}/images/${i.id}`)).arrayBuffer()),
      })),
    );
  }
  /** What "nothing written" compares: models, images and every blob. */
  async function stored() {
    const db = t.running.infra.db;
    const blobs: string[] = [];
    for await (const k of t.running.infra.blobs.list('')) blobs.push(k);
    return { models: await db.model.count(), images: await db.image.count(), blobs: blobs.sort() };
  }

  let source: string;
  const categories = ['Bag', 'Trouser', 'Sandalé, "beach"', '.hidden', 'Empty'];

  it('exports class folders of the original files with manifest.csv, and imports them as a new model with the same categories and bytes', async () => {
    source = (await (await call('/v1/models', json({ categories, name: 'source' }))).json()).id;
    const png = await sharp(fashionImages('train', 'Sandal', 7)[6]!.bytes).png().toBuffer();
    const uploads: Record<string, Array<{ name: string; bytes: Buffer; type?: string }>> = {
      Bag: [...fashionImages('train', 'Bag', 5), { name: 'same.jpg', bytes: fashionImages('train', 'Bag', 7)[5]!.bytes }, { name: 'same.jpg', bytes: fashionImages('train', 'Bag', 7)[6]!.bytes }],
      Trouser: fashionImages('train', 'Trouser', 5),
      'Sandalé, "beach"': [...fashionImages('train', 'Sandal', 5), { name: 'sandal.png', bytes: png, type: 'image/png' }],
      '.hidden': fashionImages('train', 'Coat', 2),
    };
    for (const [category, files] of Object.entries(uploads)) {
      const res = await call(`/v1/models/${source}/images`, { method: 'POST', body: form({ category }, files) });
      expect(res.status).toBe(200);
    }
    // Two uploads without a label travel too.
    expect((await call(`/v1/models/${source}/images`, { method: 'POST', body: form({}, fashionImages('test', 'Dress', 2)) })).status).toBe(200);
    const original = await contents(source);
    expect(original).toHaveLength(22);

    const res = await call(`/v1/models/${source}/dataset.zip`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toContain(`tailor-${source}-dataset.zip`);
    const zip = Buffer.from(await res.arrayBuffer());
    writeFileSync(path.join(tmp, 'source.zip'), zip);
    expect(execFileSync('unzip', ['-tq', path.join(tmp, 'source.zip')], { encoding: 'utf8' })).toMatch(/No errors detected/);
    const files = await unzipToMap(zip);
    const [header, ...lines] = files.get('manifest.csv')!.toString().trim().split('\r\n');
    expect(header).toBe('id,category,sha256,filename');
    expect(lines).toHaveLength(22);
    // Folders: one per category in the model's order, a dot-name made visible, the unlabelled images last.
    const folders = execFileSync('unzip', ['-Z1', path.join(tmp, 'source.zip')], { encoding: 'utf8' }).split('\n').filter((l) => l.endsWith('/'));
    expect(folders).toEqual(['Bag/', 'Trouser/', 'Sandalé, "beach"/', '_.hidden/', 'Empty/', '(unlabelled)/']);
    expect(lines.filter((l) => /^[^,]+,,[0-9a-f]{64},\(unlabelled\)\//.test(l))).toHaveLength(2);
    expect([...files.keys()].filter((k) => k.startsWith('Trouser/')).sort()).toEqual(fashionImages('train', 'Trouser', 5).map((f) => `Trouser/${f.name}`).sort());
    expect([...files.keys()].filter((k) => k.startsWith('Bag/') && k.endsWith('same.jpg'))).toHaveLength(2);
    expect(files.get('Sandalé, "beach"/sandal.png')!.equals(png)).toBe(true);
    for (const img of original) {
      const line = lines.find((l) => l.startsWith(`${img.id},`))!;
      expect(line).toContain(img.sha256);
      // The last field, RFC 4180-quoted when the category folder has a comma or a quote.
      const last = /,("(?:[^"]|"")*"|[^,]*)$/.exec(line)![1]!;
      const file = last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last;
      expect(files.get(file)!.equals(img.bytes)).toBe(true);
    }
    expect(res.headers.get('x-tailor-dataset-sha256')).toBe(manifestHash(original));
    expect(res.headers.get('x-tailor-dataset-images')).toBe('22');

    const imported = await importZip(zip, '?name=copy');
    expect(imported.status).toBe(201);
    const body = await imported.json();
    expect(body).toMatchObject({ images: 22, duplicates: [], datasetSha256: manifestHash(original) });
    expect(body.model).toMatchObject({ name: 'copy', state: 1, activeVersion: null, imageCount: 20, unlabeledCount: 2 });
    expect(body.model.categories.map((c: { name: string }) => c.name)).toEqual(categories);
    const copy = await contents(body.model.id);
    const key = (i: { category: string | null; sha256: string; bytes: Buffer }) => `${i.category}|${i.sha256}|${sha(i.bytes)}`;
    expect(copy.map(key).sort()).toEqual(original.map(key).sort());
    for (const i of copy) expect(i.sha256).toBe(sha(i.bytes));
  });

  it('a version records the manifest hash of the images it trained on; the imported copy, trained, records the same', async () => {
    const model = await (await call('/v1/models', json({ categories: ['Bag', 'Trouser'], architecture: 'cnn1', settings: { epochs: 1 } }))).json();
    for (const c of ['Bag', 'Trouser']) await call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({ category: c }, fashionImages('train', c, 6)) });
    await call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({}, fashionImages('train', 'Coat', 1)) });
    // The CLI: export to a file, import it back (prints the new model's id).
    const zipFile = path.join(tmp, 'cli.zip');
    const out = await cli(['dataset', 'export', model.id, '-o', zipFile]);
    expect(out).toMatchObject({ code: 0, stdout: `${zipFile}\n` });
    const hash = /dataset manifest sha256 ([0-9a-f]{64})/.exec(out.stderr)![1]!;
    const imported = await cli(['dataset', 'import', zipFile, '--name', 'cli copy']);
    expect(imported.code).toBe(0);
    const copyId = imported.stdout.trim();
    expect(copyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(imported.stderr).toContain(hash);

    const train = async (id: string) => {
      const run = await (await call(`/v1/models/${id}/train`, json({ seed: 1 }))).json();
      for (let i = 0; i < 600; i++) {
        const r = await (await call(`/v1/models/${id}/runs/${run.id}`)).json();
        if (['succeeded', 'failed'].includes(r.status)) return r;
        await new Promise((res) => setTimeout(res, 300));
      }
      throw new Error('run did not end');
    };
    expect((await train(model.id)).status).toBe('succeeded');
    expect((await train(copyId)).status).toBe('succeeded');
    const v1 = await (await call(`/v1/models/${model.id}/versions/1`)).json();
    const v2 = await (await call(`/v1/models/${copyId}/versions/1`)).json();
    expect(v1.datasetSha256).toBe(hash);
    expect(v2.datasetSha256).toBe(hash);
    expect(v1.metrics.dataset).toMatchObject({ sha256: hash, images: 13, unlabeled: 1, perClass: [{ label: 'Bag', count: 6 }, { label: 'Trouser', count: 6 }] });
    // An image more and the dataset is another one.
    await call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({ category: 'Bag' }, fashionImages('train', 'Bag', 7).slice(6)) });
    expect((await call(`/v1/models/${model.id}/dataset.zip`)).headers.get('x-tailor-dataset-sha256')).not.toBe(hash);
  }, 240_000);

  it('imports plain class folders zipped by another tool (one top folder, deflated, desktop junk ignored)', async () => {
    const root = path.join(tmp, 'plain', 'my dataset');
    for (const c of ['Coat', 'Dress']) {
      mkdirSync(path.join(root, c), { recursive: true });
      for (const f of fashionImages('test', c, 3)) writeFileSync(path.join(root, c, f.name), f.bytes);
    }
    writeFileSync(path.join(root, 'Coat', '.DS_Store'), 'junk');
    execFileSync('zip', ['-qr', path.join(tmp, 'plain.zip'), 'my dataset'], { cwd: path.join(tmp, 'plain') });
    const res = await importZip(readFileSync(path.join(tmp, 'plain.zip')));
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.model.categories).toEqual([{ name: 'Coat', count: 3 }, { name: 'Dress', count: 3 }].sort((a, b) => a.name.localeCompare(b.name)));
  });

  const good = () => ({ 'A/one.jpg': fashionImages('test', 'Bag', 1)[0]!.bytes, 'B/two.jpg': fashionImages('test', 'Trouser', 1)[0]!.bytes });
  const zipOf = (files: Record<string, Buffer>) => writeZip(Object.entries(files).map(([name, data]) => ({ name, data })));
  const manifestFor = (rows: string[]) => Buffer.from(['id,category,sha256,filename', ...rows].join('\n') + '\n');

  it.each([
    ['not a zip', () => Buffer.from('this is not a zip file, just text'), 400, /Not a readable zip archive: not a zip archive/],
    ['a truncated zip', () => zipOf(good()).subarray(0, 900), 400, /Not a readable zip archive/],
    ['a corrupt image inside', () => zipOf({ ...good(), 'B/broken.jpg': truncated(fashionImages('test', 'Coat', 1)[0]!.bytes) }), 400, /B\/broken\.jpg: image data is truncated or corrupt/],
    ['a file that is not an image', () => zipOf({ ...good(), 'A/notes.txt': Buffer.from('hello') }), 400, /A\/notes\.txt: not a readable image/],
    ['one category only', () => zipOf({ 'A/one.jpg': good()['A/one.jpg']! }), 400, /At least two categories/],
    ['a nested folder', () => zipOf({ ...good(), 'A/deeper/x.jpg': good()['A/one.jpg']! }), 400, /A\/deeper\/x\.jpg: expected <category folder>\/<image file>/],
    ['a manifest whose sha256 does not match', () => zipOf({ ...good(), 'manifest.csv': manifestFor([`1,A,${'0'.repeat(64)},A/one.jpg`, `2,B,${sha(good()['B/two.jpg']!)},B/two.jpg`]) }), 400, /A\/one\.jpg: its sha256 is [0-9a-f]{64}, manifest\.csv says 0{64}/],
    ['a manifest listing a missing file', () => zipOf({ ...good(), 'manifest.csv': manifestFor([`1,A,${sha(good()['A/one.jpg']!)},A/one.jpg`, `2,B,${sha(good()['B/two.jpg']!)},B/two.jpg`, `3,B,${'1'.repeat(64)},B/gone.jpg`]) }), 400, /B\/gone\.jpg: listed in manifest\.csv but not in the zip/],
    ['the same image in two categories', () => zipOf({ ...good(), 'B/copy.jpg': good()['A/one.jpg']! }), 400, /B\/copy\.jpg: the same image is also A\/one\.jpg, in another category/],
    ['a zip over TAILOR_MAX_IMPORT_BYTES', () => zipOf({ ...good(), 'A/big.bin': Buffer.alloc(MAX_IMPORT + 10) }), 413, /larger than 400000 bytes/],
  ])('refuses %s: problem+json, nothing written', async (_name, make, status, says) => {
    const before = await stored();
    const res = await importZip(make());
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = await res.json();
    expect(`${problem.detail} ${JSON.stringify(problem.errors ?? [])}`).toMatch(says);
    expect(problem.requestId).toBeTruthy();
    expect(await stored()).toEqual(before);
  });

  it('refuses a request without a zip, without a key, or with a predict-only key', async () => {
    const none = await call('/v1/models/import', { method: 'POST', body: form({ name: 'x' }) });
    expect(none.status).toBe(400);
    expect((await none.json()).detail).toMatch(/No zip file/);
    const jsonBody = await call('/v1/models/import', json({}));
    expect(jsonBody.status).toBe(400);
    const anonymous = await fetch(`${t.baseUrl}/v1/models/import`, { method: 'POST', body: form({}) });
    expect(anonymous.status).toBe(401);
    const { key } = await (await call('/v1/keys', json({ name: 'reader', scopes: ['predict'] }))).json();
    const fd = new FormData();
    fd.append('file', new Blob([new Uint8Array(zipOf(good()))]), 'dataset.zip');
    const reader = await fetch(`${t.baseUrl}/v1/models/import`, { method: 'POST', body: fd, headers: { authorization: t.auth(key) } });
    expect(reader.status).toBe(403);
    expect((await reader.json()).detail).toMatch(/'train' scope/);
    const missing = await call('/v1/models/00000000-0000-4000-8000-000000000000/dataset.zip');
    expect(missing.status).toBe(404);
  });
});

describe('v1: dataset import within the account quotas', () => {
  let t: TestTailor;
  beforeAll(async () => {
    t = await startTestTailor({ TAILOR_QUOTA_IMAGES: '3' });
  });
  afterAll(async () => t?.stop());

  it('refuses a zip that would pass the image quota with 402 before anything is written; one that fits imports', async () => {
    const zipOf = (n: number) =>
      writeZip(
        ['Bag', 'Trouser'].flatMap((c) => fashionImages('test', c, 2)).slice(0, n).map((f, i) => ({ name: `${i % 2 ? 'B' : 'A'}/${f.name}`, data: f.bytes })),
      );
    const send = (zip: Buffer) => {
      const fd = new FormData();
      fd.append('file', new Blob([new Uint8Array(zip)]), 'dataset.zip');
      return fetch(`${t.baseUrl}/v1/models/import`, { method: 'POST', body: fd, headers: { authorization: t.auth() } });
    };
    const over = await send(zipOf(4));
    expect(over.status).toBe(402);
    expect(over.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await over.json()).detail).toMatch(/Quota exhausted: images \(the zip adds 4 images to this account's 0 of 3\); nothing was imported/);
    expect(await t.running.infra.db.model.count()).toBe(0);
    expect(await t.running.infra.db.image.count()).toBe(0);
    const fits = await send(zipOf(3));
    expect(fits.status).toBe(201);
    expect((await fits.json()).images).toBe(3);
  });
});
