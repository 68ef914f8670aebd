import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@tailor/config';
import { unzipToMap } from '@tailor/storage';
import type { Page } from 'playwright-core';
import { fashionImages, form } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';
import { launchChromium, type HeadlessChromium } from './support/chromium';

/**
 * The dashboard's Export tab in a real Chromium: it downloads the bundles, and it loads the version's TF.js export
 * into the page and classifies images there (TF.js in the browser, no request to the server's predict), agreeing with
 * the hosted model. The browser decodes with its own decoder and resizes in JS with libvips' kernels and alignment,
 * so its inputs match the service's to within a unit of a pixel, and its probabilities within 1e-2 (measured 5e-5 to 4e-3).
 */
const CLASSES = ['Bag', 'Trouser', 'Sandal', 'Sneaker'];
/** Screenshots land here (git-ignored), as the other dashboard test's do. */
const SHOTS = process.env.DASHBOARD_SCREENSHOT_DIR ?? path.join(REPO_ROOT, 'bench', 'out', 'dashboard');

describe('dashboard: export tab and in-browser prediction', () => {
  let s: { t: TestTailor; modelId: string; call(path: string, init?: RequestInit): Promise<Response> };
  let chromium: HeadlessChromium;
  let page: Page;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tailor-export-browser-'));
  const pageErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    chromium = await launchChromium();
    // A small transfer model; the generous grace keeps a busy CI machine from cutting its run.
    const t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_TRAIN_TIME_BUDGET_S: '10', TAILOR_TRAIN_GRACE_S: '600' });
    const call = (p: string, init: RequestInit = {}) => fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });
    s = { t, modelId: '', call };
    const model = await (await call('/v1/models', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'export', categories: CLASSES }) })).json();
    s.modelId = model.id;
    for (const c of CLASSES) await call(`/v1/models/${model.id}/images`, { method: 'POST', body: form({ category: c }, fashionImages('train', c, 8)) });
    const run = await (await call(`/v1/models/${model.id}/train`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: 7 }) })).json();
    for (let status = run.status; !['succeeded', 'failed'].includes(status); ) {
      await new Promise((r) => setTimeout(r, 500));
      const r = await (await call(`/v1/models/${model.id}/runs/${run.id}`)).json();
      if (r.status === 'failed') throw new Error(`training failed: ${r.error}`);
      status = r.status;
    }
    page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Requests that leave the page (blob: URLs of the image previews stay inside it).
    page.on('request', (r) => void (/^https?:/.test(r.url()) && requests.push(`${r.method()} ${new URL(r.url()).pathname}`)));
    await page.goto(`${s.t.baseUrl}/dashboard/`);
    await page.evaluate((key) => sessionStorage.setItem('tailor.apiKey', key), s.t.key);
    await page.goto(`${s.t.baseUrl}/dashboard/#/models/${s.modelId}/export`);
  }, 600_000);
  afterAll(async () => {
    await chromium?.close();
    await s?.t.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('serves TF.js to the page from this server, and nothing else under vendor/', async () => {
    const res = await fetch(`${s.t.baseUrl}/dashboard/vendor/tf.min.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await res.text()).length).toBeGreaterThan(500_000);
    expect((await fetch(`${s.t.baseUrl}/dashboard/vendor/package.json`)).status).toBe(404);
    expect((await fetch(`${s.t.baseUrl}/dashboard/vendor/constructor`)).status).toBe(404);
  });

  it('downloads the ONNX bundle and the dataset from the Export tab', async () => {
    await page.waitForSelector('#export-onnx');
    expect(await page.textContent('#model-tabs [aria-current="page"]')).toBe('Export');
    expect(await page.textContent('#export-dataset-hash')).toMatch(/[0-9a-f]{64}/);
    const [onnx] = await Promise.all([page.waitForEvent('download'), page.click('#export-onnx')]);
    const onnxFile = path.join(tmp, onnx.suggestedFilename());
    await onnx.saveAs(onnxFile);
    const bundle = await unzipToMap(readFileSync(onnxFile));
    expect([...bundle.keys()]).toEqual(expect.arrayContaining(['model.onnx', 'labels.json', 'preprocessing.json', 'README.md']));
    expect(JSON.parse(bundle.get('labels.json')!.toString())).toEqual(CLASSES);
    const [dataset] = await Promise.all([page.waitForEvent('download'), page.click('#export-dataset')]);
    const datasetFile = path.join(tmp, 'dataset.zip');
    await dataset.saveAs(datasetFile);
    const files = await unzipToMap(readFileSync(datasetFile));
    expect([...files.keys()].filter((k) => !k.endsWith('/') && k !== 'manifest.csv')).toHaveLength(8 * CLASSES.length);
  }, 120_000);

  it('loads the TF.js export into the page and classifies images in the browser, as the hosted model does', async () => {
    await page.click('#browser-load');
    await page.waitForSelector('#browser-status[data-ready="true"]', { timeout: 180_000 });
    expect(await page.textContent('#browser-status')).toMatch(/TF\.js (webgl|cpu|wasm) backend/);
    const images = CLASSES.flatMap((c) => fashionImages('test', c, 3));
    const hosted = (await (await s.call(`/v1/models/${s.modelId}/predict`, { method: 'POST', body: form({}, images) })).json()).predictions as Array<{
      label: string;
      prediction: Array<{ label: string; probability: number }>;
    }>;
    const before = requests.length;
    let maxDp = 0;
    let agree = 0;
    for (const [i, img] of images.entries()) {
      const file = path.join(tmp, `${i}-${img.name}`);
      writeFileSync(file, img.bytes);
      await page.setInputFiles('#browser-predict-file', file);
      await page.waitForSelector(`#browser-result .predicted`, { timeout: 60_000 });
      const shown = await page.$$eval('#browser-result .prob-row', (rows) => rows.map((r) => ({ label: (r as HTMLElement).dataset.label!, probability: Number((r as HTMLElement).dataset.probability) })));
      await page.evaluate(() => document.querySelector('#browser-result')!.replaceChildren());
      const want = hosted[i]!;
      for (const p of want.prediction) maxDp = Math.max(maxDp, Math.abs(p.probability - shown.find((x) => x.label === p.label)!.probability));
      if (shown[0]!.label === want.label) agree++;
    }
    console.log(`browser (TF.js in Chromium) vs hosted: top-1 ${agree}/${images.length}, max |dp| ${maxDp.toExponential(2)}`);
    await page.setInputFiles('#browser-predict-file', path.join(tmp, `0-${images[0]!.name}`));
    await page.waitForSelector('#browser-result .predicted');
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'export-tab.png'), fullPage: true });
    // Classified here: no request left the page while it predicted.
    expect(requests.slice(before)).toEqual([]);
    expect(agree).toBe(images.length);
    expect(maxDp).toBeLessThan(1e-2);
    expect(pageErrors).toEqual([]);
  }, 300_000);
});
