import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@tailor/config';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { fashionImages } from '../support/fixtures';
import { launchChromium, type HeadlessChromium } from './support/chromium';
import { readZip } from './support/read-zip';
import { DASHBOARD_CLASSES, startTrainedTailor, type TrainedTailor } from './support/trained-model';

/** Screenshots land here (git-ignored) so a person can look at what the test saw. */
const SHOTS = process.env.DASHBOARD_SCREENSHOT_DIR ?? path.join(REPO_ROOT, 'bench', 'out', 'dashboard');

interface Evaluation {
  classes: string[];
  metrics: {
    confusionMatrix: number[][];
    misclassified: Array<{ actual: string; predicted: string; imageIds: string[] }>;
    perClass: Array<{ label: string }>;
    curves: Array<{ member: string; epochs: unknown[] }>;
  };
}

/** The dashboard in a real Chromium against a real server with a model trained on tutorial JPEGs. */
describe('dashboard and embedding projector', () => {
  let s: TrainedTailor;
  let chromium: HeadlessChromium;
  let evaluation: Evaluation;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Chromium first: a missing browser fails the suite at once instead of after a training run.
    chromium = await launchChromium();
    s = await startTrainedTailor();
    evaluation = (await (await s.call(`/v1/models/${s.modelId}/versions/1`)).json()) as Evaluation;
    page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 300_000);
  afterAll(async () => {
    await chromium?.close();
    await s?.t.stop();
  });

  it('serves the dashboard as static files under a strict content security policy', async () => {
    const redirect = await fetch(`${s.t.baseUrl}/dashboard`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/dashboard/');
    // The server's bare address, opened in a browser, leads there too.
    const root = await fetch(`${s.t.baseUrl}/`, { redirect: 'manual' });
    expect({ status: root.status, location: root.headers.get('location') }).toEqual({ status: 302, location: '/dashboard/' });
    const index = await fetch(`${s.t.baseUrl}/dashboard/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await index.text()).toContain('<script type="module" src="js/main.js">');
    const js = await fetch(`${s.t.baseUrl}/dashboard/js/projector/tsne-worker.js`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const again = await fetch(`${s.t.baseUrl}/dashboard/js/main.js`, { headers: { 'if-none-match': js.headers.get('etag') ?? '' } });
    expect(again.status).toBe(200); // a different file's etag does not match
    const etag = again.headers.get('etag')!;
    expect((await fetch(`${s.t.baseUrl}/dashboard/js/main.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${s.t.baseUrl}/dashboard/../package.json`)).status).toBe(404);
    expect((await fetch(`${s.t.baseUrl}/dashboard/js/nope.js`)).status).toBe(404);
  });

  it("keeps the API's Basic challenge for clients but not for the dashboard's scripts (no browser password dialog)", async () => {
    const bad = { authorization: 'Bearer tl_not_a_key' };
    const client = await fetch(`${s.t.baseUrl}/v1/account`, { headers: bad });
    expect(client.status).toBe(401);
    expect(client.headers.get('www-authenticate')).toMatch(/^Basic/);
    const script = await fetch(`${s.t.baseUrl}/v1/account`, { headers: { ...bad, 'x-requested-with': 'XMLHttpRequest' } });
    expect(script.status).toBe(401);
    expect(script.headers.get('www-authenticate')).toBeNull();
  });

  it('returns the embeddings of every image, computed once and then served from the blob store', async () => {
    const url = `/v1/models/${s.modelId}/versions/1/embeddings`;
    expect((await fetch(s.t.baseUrl + url)).status).toBe(401);
    const started = Date.now();
    const res = await s.call(url);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { dim: number; count: number; embeddings: Array<{ id: string; label: string; vector: number[] }> };
    const firstMs = Date.now() - started;
    expect(body.count).toBe(DASHBOARD_CLASSES.length * 12);
    expect(body.dim).toBeGreaterThan(0);
    for (const e of body.embeddings) {
      expect(DASHBOARD_CLASSES).toContain(e.label);
      expect(e.vector).toHaveLength(body.dim);
      expect(e.vector.every(Number.isFinite)).toBe(true);
    }
    // Different images have different features (a constant vector would mean the embedder saw nothing).
    expect(body.embeddings[0]!.vector).not.toEqual(body.embeddings[1]!.vector);
    const cachedStart = Date.now();
    const cached = (await (await s.call(url)).json()) as typeof body;
    const cachedMs = Date.now() - cachedStart;
    expect(cached.embeddings).toEqual(body.embeddings);
    console.log(`embeddings of ${body.count} images (dim ${body.dim}): first request ${firstMs} ms, cached ${cachedMs} ms`);
    expect((await s.call(`/v1/models/${s.modelId}/versions/9/embeddings`)).status).toBe(404);
  });

  it("exports a zip TensorBoard's projector reads: tensors, metadata with a header, sprite, config", async () => {
    const res = await s.call(`/v1/models/${s.modelId}/versions/1/projector.zip`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const files = readZip(Buffer.from(await res.arrayBuffer()));
    expect([...files.keys()].sort()).toEqual(['metadata.tsv', 'projector_config.json', 'projector_config.pbtxt', 'sprite.png', 'tensors.tsv']);
    const n = DASHBOARD_CLASSES.length * 12;
    const tensorRows = files.get('tensors.tsv')!.toString('utf8').trimEnd().split('\n');
    expect(tensorRows).toHaveLength(n);
    const dim = tensorRows[0]!.split('\t').length;
    expect(tensorRows.every((r) => r.split('\t').length === dim && r.split('\t').every((v) => Number.isFinite(Number(v))))).toBe(true);
    const meta = files.get('metadata.tsv')!.toString('utf8').trimEnd().split('\n');
    expect(meta[0]).toBe('label\tid');
    expect(meta).toHaveLength(n + 1);
    expect(meta.slice(1).every((r) => DASHBOARD_CLASSES.includes(r.split('\t')[0]!))).toBe(true);
    const sprite = await sharp(files.get('sprite.png')!).metadata();
    const pbtxt = files.get('projector_config.pbtxt')!.toString('utf8');
    const thumb = Number(/single_image_dim: (\d+)/.exec(pbtxt)![1]);
    const columns = Math.ceil(Math.sqrt(n));
    expect(sprite.format).toBe('png');
    expect(sprite.width).toBe(columns * thumb);
    expect(sprite.height).toBe(Math.ceil(n / columns) * thumb);
    expect(pbtxt).toMatch(/tensor_path: "tensors.tsv"/);
    expect(pbtxt).toMatch(/metadata_path: "metadata.tsv"/);
    expect(pbtxt).toMatch(/image_path: "sprite.png"/);
    expect(pbtxt).toContain(`tensor_shape: ${n}\n  tensor_shape: ${dim}`);
  });

  it('signs in with an API key and lists the model with its state', async () => {
    await page.goto(`${s.t.baseUrl}/dashboard/`);
    await page.fill('#api-key', 'tl_wrong_key');
    await page.click('#sign-in');
    await page.waitForSelector('#sign-in-error:has-text("not accepted")');
    await page.fill('#api-key', s.t.key);
    await page.click('#sign-in');
    const card = page.locator(`.model-card[data-model-id="${s.modelId}"]`);
    await card.waitFor();
    expect(await card.locator('.badge').textContent()).toBe('Hosted');
    expect(await page.evaluate(() => sessionStorage.getItem('tailor.apiKey'))).toBe(s.t.key);
    await page.screenshot({ path: path.join(SHOTS, '1-models.png') });
  });

  it('shows the curves, per-class metrics and confusion matrix of the trained version; a cell opens its images', async () => {
    await page.locator(`.model-card[data-model-id="${s.modelId}"]`).click();
    await page.waitForSelector('#confusion .cm-cell');
    // Two charts (accuracy, loss), every member of an ensemble on both, one point per epoch and series.
    const epochs = evaluation.metrics.curves.reduce((sum, c) => sum + c.epochs.length, 0);
    const points = await page.$$eval('#curves svg.line-chart', (svgs) => svgs.map((s) => Number((s as SVGElement).dataset.points)));
    expect(points).toHaveLength(2);
    expect(points.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2 * epochs);
    expect(await page.locator('#curves path.series').count()).toBeGreaterThanOrEqual(2 * evaluation.metrics.curves.length);
    expect(await page.locator('#per-class rect.bar').count()).toBe(3 * evaluation.classes.length);
    expect(await page.locator('#per-class tbody tr').count()).toBe(evaluation.classes.length);

    const cells = await page.$$eval('#confusion .cm-cell', (els) => els.map((e) => ({ ...(e as SVGElement).dataset })));
    expect(cells).toHaveLength(evaluation.classes.length ** 2);
    for (const c of cells) {
      const i = evaluation.classes.indexOf(c.actual!);
      const j = evaluation.classes.indexOf(c.predicted!);
      expect(Number(c.count)).toBe(evaluation.metrics.confusionMatrix[i]![j]);
    }
    // Look-alike classes: the model gets some wrong, so there is a mistake to click.
    const mistake = evaluation.metrics.misclassified.find((m) => m.imageIds.length > 0);
    expect(mistake).toBeDefined();
    await page.locator(`#confusion .cm-cell[data-actual="${mistake!.actual}"][data-predicted="${mistake!.predicted}"]`).click();
    await page.waitForFunction(
      (n) => {
        const imgs = [...document.querySelectorAll<HTMLImageElement>('#misclassified img')];
        return imgs.length === n && imgs.every((i) => i.complete && i.naturalWidth > 0);
      },
      mistake!.imageIds.length,
    );
    const shown = await page.$$eval('#misclassified img', (imgs) => imgs.map((i) => (i as HTMLImageElement).dataset.imageId));
    expect(shown.sort()).toEqual([...mistake!.imageIds].sort());
    expect(await page.locator('#cell-detail h3').textContent()).toContain(`Actual ${mistake!.actual}, predicted ${mistake!.predicted}`);
    // The uploaded images per class, with counts.
    const counts = await page.$$eval('#image-counts .chip[data-category]', (els) => els.map((e) => [(e as HTMLElement).dataset.category, Number((e as HTMLElement).dataset.count)]));
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(DASHBOARD_CLASSES.map((c) => [c, 12])));
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('#images img')].filter((i) => i.naturalWidth > 0).length >= 4 * 12);
    expect(await page.locator('#versions tbody tr').count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, '2-model.png'), fullPage: true });
  });

  /** Pixels of the canvas that are not background: the plot really drew points. */
  const inkedPixels = () =>
    page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('#projector-canvas')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });

  it('projects the embeddings by PCA, t-SNE (2-D and 3-D) and a custom axis, with a thumbnail on hover', async () => {
    const n = DASHBOARD_CLASSES.length * 12;
    const canvas = page.locator('#projector-canvas');
    await page.waitForSelector('#projector-canvas[data-ready="true"][data-method="pca"]', { timeout: 120_000 });
    expect(await canvas.getAttribute('data-points')).toBe(String(n));
    expect(await page.locator('#projector-status').textContent()).toMatch(/variance explained: \d+\.\d%, \d+\.\d%/);
    expect(await inkedPixels()).toBeGreaterThan(n * 10);

    const tsneStart = Date.now();
    await page.selectOption('#projector-method', 'tsne');
    await page.waitForSelector('#projector-canvas[data-ready="true"][data-method="tsne"][data-dims="2"]', { timeout: 60_000 });
    console.log(`t-SNE of ${n} points in the browser: ${Date.now() - tsneStart} ms (${await page.locator('#projector-status').textContent()})`);
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    const points = await page.evaluate(() => (document.querySelector('#projector-canvas') as unknown as { screenPoints: Array<{ i: number; x: number; y: number }> }).screenPoints);
    expect(points).toHaveLength(n);
    // Every point lands inside the plot.
    expect(points.every((p) => p.x >= 0 && p.y >= 0 && p.x <= box.width && p.y <= box.height)).toBe(true);
    await page.mouse.move(box.x + points[5]!.x, box.y + points[5]!.y);
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('#projector-tooltip:not([hidden]) img');
      return Boolean(img && img.src.startsWith('blob:') && img.complete && img.naturalWidth > 0);
    });
    expect(DASHBOARD_CLASSES).toContain(await page.locator('#projector-tooltip strong').textContent());
    await page.locator('#projector').screenshot({ path: path.join(SHOTS, '3-projector-tsne-2d.png') });

    await page.selectOption('#projector-dims', '3');
    await page.waitForSelector('#projector-canvas[data-ready="true"][data-method="tsne"][data-dims="3"]', { timeout: 60_000 });
    expect(await inkedPixels()).toBeGreaterThan(n * 10);
    await page.locator('#projector').screenshot({ path: path.join(SHOTS, '4-projector-tsne-3d.png') });

    await page.selectOption('#projector-method', 'pca');
    await page.waitForSelector('#projector-canvas[data-ready="true"][data-method="pca"][data-dims="3"]');
    await page.locator('#projector').screenshot({ path: path.join(SHOTS, '5-projector-pca-3d.png') });

    await page.selectOption('#projector-method', 'custom');
    await page.fill('#custom-left', '/^Sandal$/');
    await page.fill('#custom-right', 'Tshirt');
    await page.locator('#custom-right').dispatchEvent('change');
    await page.waitForSelector('#projector-canvas[data-ready="true"][data-method="custom"]');
    expect(await page.locator('#projector-status').textContent()).toMatch(/x from "\/\^Sandal\$\/" \(12\) to "Tshirt" \(12\)/);
    // Along the Sandal→Tshirt axis every sandal lies left of every T-shirt's mean (the classes are far apart).
    const byLabel = await page.evaluate(() => {
      const pts = (document.querySelector('#projector-canvas') as unknown as { screenPoints: Array<{ x: number }> }).screenPoints;
      return pts.map((p) => p.x);
    });
    const labels = await (await s.call(`/v1/models/${s.modelId}/versions/1/embeddings`)).json().then((b: { embeddings: Array<{ label: string }> }) => b.embeddings.map((e) => e.label));
    const meanX = (l: string) => {
      const xs = byLabel.filter((_, i) => labels[i] === l);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(meanX('Sandal')).toBeLessThan(meanX('Tshirt'));
    await page.locator('#projector').screenshot({ path: path.join(SHOTS, '6-projector-custom.png') });
  });

  it('predicts a dropped image with every class and its probability', async () => {
    const [file] = fashionImages('test', 'Sandal', 1);
    await page.setInputFiles('#predict-file', { name: file!.name, mimeType: 'image/jpeg', buffer: file!.bytes });
    await page.waitForSelector('#predict-result .prob-row');
    const rows = await page.$$eval('#predict-result .prob-row', (els) => els.map((e) => ({ label: (e as HTMLElement).dataset.label!, p: Number((e as HTMLElement).dataset.probability) })));
    expect(rows.map((r) => r.label).sort()).toEqual([...DASHBOARD_CLASSES].sort());
    expect(rows.reduce((a, r) => a + r.p, 0)).toBeCloseTo(1, 3);
    expect(await page.locator('#predict-result .predicted').getAttribute('data-label')).toBe('Sandal');
    // Dropping a file works the same as choosing one (a real DragEvent carrying a File).
    const dropped = fashionImages('test', 'Sandal', 2)[1]!;
    await page.evaluate(`(() => {
      const bin = atob('${dropped.bytes.toString('base64')}');
      const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'dropped.jpg', { type: 'image/jpeg' }));
      document.querySelector('#dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await page.waitForSelector('#predict-result img.preview[alt="dropped.jpg"]');
    await page.waitForSelector('#predict-result .prob-row');
    expect(await page.locator('#predict-result .prob-row').count()).toBe(DASHBOARD_CLASSES.length);
    expect(await page.locator('#predict-result .predicted').getAttribute('data-label')).toBe('Sandal');
    await page.locator('#predict').scrollIntoViewIfNeeded();
    await page.locator('#predict').screenshot({ path: path.join(SHOTS, '7-predict.png') });
    expect(pageErrors).toEqual([]);
  });

  it('follows a new training run live on the model page and shows the new version when it ends', async () => {
    const train = await s.call(`/v1/models/${s.modelId}/train`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: 8 }) });
    expect(train.status).toBe(202);
    // The list shows the model as busy while the run is queued or training.
    await page.goto(`${s.t.baseUrl}/dashboard/#/`);
    const badge = page.locator(`.model-card[data-model-id="${s.modelId}"] .badge`);
    await badge.waitFor();
    expect(['Queued', 'Training']).toContain(await badge.textContent());
    await page.locator(`.model-card[data-model-id="${s.modelId}"]`).click();
    // Progress arrives over the run's event stream (fetch + SSE, since EventSource cannot send the key).
    const seen = new Set<string>();
    const bar = page.locator('#run-progress progress');
    await bar.waitFor();
    const deadline = Date.now() + 200_000;
    while (Date.now() < deadline && (await page.locator('#versions tbody tr').count()) < 2) {
      if (await bar.count()) seen.add(String(await bar.getAttribute('value').catch(() => null)));
      await page.waitForTimeout(250);
    }
    expect(await page.locator('#versions tbody tr').count()).toBe(2);
    expect([...seen].filter((v) => v !== 'null').length).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#summary h2').textContent()).toContain('Version 2');
    expect(await page.locator('#run-progress progress').count()).toBe(0);
    await page.waitForSelector('#projector-canvas[data-ready="true"]', { timeout: 120_000 });
    await page.screenshot({ path: path.join(SHOTS, '8-model-after-retrain.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
