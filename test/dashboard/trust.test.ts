import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@tailor/config';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { fashionImages, form, sampleImage } from '../support/fixtures';
import { launchChromium, type HeadlessChromium } from './support/chromium';
import { DASHBOARD_CLASSES, startTrainedTailor, type TrainedTailor } from './support/trained-model';

const SHOTS = process.env.DASHBOARD_SCREENSHOT_DIR ?? path.join(REPO_ROOT, 'bench', 'out', 'dashboard');

interface Prediction {
  file: string;
  ok: boolean;
  label: string;
  probability: number;
  outOfDistribution: boolean;
  uncertain: boolean;
  prediction: Array<{ label: string; probability: number }>;
  explanation?: { method: string; label: string; probability: number; grid: { rows: number; cols: number; values: number[] }; overlay: string };
}

/**
 * Predictions you can trust, through the real HTTP API and the dashboard in Chromium: the version records calibration
 * before/after, "not sure" thresholds and its OOD detector's AUROC; predictions carry `uncertain` (v1 and v2) and, on
 * request, a heat map; the dashboard draws the reliability diagram, says "not sure", and shows heat maps for a
 * prediction and for a confusion-matrix mistake.
 */
describe('trust: calibrated probabilities, "not sure", heat maps (API and dashboard)', () => {
  let s: TrainedTailor;
  let chromium: HeadlessChromium;
  let page: Page;
  const pageErrors: string[] = [];
  const predict = async (files: Array<{ name: string; bytes: Buffer }>, query = '') => {
    const res = await s.call(`/v1/models/${s.modelId}/predict${query}`, { method: 'POST', body: form({}, files) });
    return { status: res.status, body: (await res.json()) as { predictions: Prediction[] } & Record<string, unknown> };
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    chromium = await launchChromium();
    s = await startTrainedTailor();
    page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 900_000);
  afterAll(async () => {
    await chromium?.close();
    await s?.t.stop();
  });

  it('the version records calibration before/after, the "not sure" thresholds and the OOD AUROC', async () => {
    const v = (await (await s.call(`/v1/models/${s.modelId}/versions/1`)).json()) as { metrics: Record<string, any> };
    const t = v.metrics.trust;
    expect(['temperature', 'none']).toContain(t.calibration.method);
    expect(t.calibration.before.bins).toHaveLength(10);
    expect(t.calibration.after.ece).toBeGreaterThanOrEqual(0);
    expect(v.metrics.calibration.ece).toBeCloseTo(t.calibration.after.ece, 10);
    expect(t.notSure.targetPrecision).toBe(0.9);
    expect(t.notSure.thresholds.map((x: { label: string }) => x.label)).toEqual(DASHBOARD_CLASSES);
    expect(t.ood.heldOutClassAuroc).toBeGreaterThan(0.5);
    expect(t.ood.perClass).toHaveLength(DASHBOARD_CLASSES.length);
    expect(t.ood.meaning).toMatch(/held|left out/i);
  });

  it('/v1 predictions carry uncertain; v2 results carry it as an added field', async () => {
    const files = DASHBOARD_CLASSES.flatMap((c) => fashionImages('test', c, 3));
    const { status, body } = await predict([...files, { name: 'parrot.jpg', bytes: sampleImage('parrot.jpg') }]);
    expect(status).toBe(200);
    for (const p of body.predictions) {
      expect(typeof p.uncertain).toBe('boolean');
      expect(p.prediction.reduce((a, b) => a + b.probability, 0)).toBeCloseTo(1, 4);
      if (p.outOfDistribution) expect(p.uncertain).toBe(true);
      expect(p.explanation).toBeUndefined();
    }
    // A parrot photo against 48 garment images: never served as a sure garment (out of distribution or below its
    // class's threshold), and further from the garments than any of them.
    const parrot = body.predictions.at(-1)! as Prediction & { oodScore: number };
    expect(parrot.uncertain).toBe(true);
    expect(parrot.oodScore).toBeGreaterThan(Math.max(...body.predictions.slice(0, -1).map((p) => (p as Prediction & { oodScore: number }).oodScore)));
    const v2 = await s.call('/api/v2/ImageCategorization/LabelFile/', { method: 'POST', body: form({ modelId: s.modelId }, files.slice(0, 2)) });
    expect(v2.status).toBe(200);
    const result = ((await v2.json()) as { result: Array<Record<string, unknown>> }).result;
    for (const r of result) {
      expect(Object.keys(r).sort()).toEqual(['file', 'message', 'out_of_distribution', 'prediction', 'uncertain']);
      expect(typeof r.uncertain).toBe('boolean');
    }
  });

  it('?explain=true adds a heat map per image: a PNG over the image, its grid, image-dependent; explainClass picks the class', async () => {
    const [a, b] = [fashionImages('test', 'Sandal', 1)[0]!, fashionImages('test', 'Tshirt', 1)[0]!];
    const { status, body } = await predict([a, b], '?explain=true');
    expect(status).toBe(200);
    const [pa, pb] = body.predictions as [Prediction, Prediction];
    for (const p of [pa, pb]) {
      const e = p.explanation!;
      expect(e.method).toBe('occlusion');
      expect(e.label).toBe(p.label);
      expect(e.grid).toMatchObject({ rows: 8, cols: 8 });
      expect(e.grid.values).toHaveLength(64);
      const png = Buffer.from(e.overlay.replace(/^data:image\/png;base64,/, ''), 'base64');
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 224, 224]);
    }
    expect(pa.explanation!.grid.values).not.toEqual(pb.explanation!.grid.values);
    const other = await predict([a], '?explain=true&explainClass=Pullover');
    expect(other.body.predictions[0]!.explanation!.label).toBe('Pullover');
    const bad = await s.call(`/v1/models/${s.modelId}/predict?explain=true&explainClass=Hat`, { method: 'POST', body: form({}, [a]) });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/Hat/);
  });

  it('targetPrecision is a model setting with a default, bounds and a description', async () => {
    const opts = (await (await s.call('/v1/training-options')).json()) as { settings: Array<Record<string, unknown>> };
    expect(opts.settings.find((x) => x.name === 'targetPrecision')).toMatchObject({ type: 'number', default: 0.9, min: 0.5, max: 0.999, appliesTo: ['auto', 'transfer', 'finetune'] });
    const patch = (settings: unknown) => s.call(`/v1/models/${s.modelId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ settings }) });
    expect((await patch({ targetPrecision: 0.8 })).status).toBe(200);
    expect((await patch({ targetPrecision: 1.5 })).status).toBe(400);
  });

  it('the dashboard draws the reliability diagram, says "not sure", and shows heat maps for a prediction and a mistake', async () => {
    await page.goto(`${s.t.baseUrl}/dashboard/`);
    await page.evaluate((key) => sessionStorage.setItem('tailor.apiKey', key), s.t.key);
    await page.goto(`${s.t.baseUrl}/dashboard/#/models/${s.modelId}`);
    // Attached, not visible: an empty bin is drawn with zero height.
    await page.waitForSelector('#trust .reliability-diagram rect.bin', { state: 'attached' });
    expect(await page.locator('#trust-ece').textContent()).toMatch(/%.*→.*%/);
    expect(await page.locator('#trust .reliability-diagram rect.bin[data-series^="after"]').count()).toBeGreaterThan(0);
    expect(Number(await page.locator('#trust-auroc').textContent())).toBeGreaterThan(0.5);

    // A prediction: the note follows the API's flag for the same file, and "Why?" shows the heat map.
    const files = DASHBOARD_CLASSES.flatMap((c) => fashionImages('test', c, 2));
    const { body } = await predict(files);
    const unsure = body.predictions.findIndex((p) => p.uncertain && !p.outOfDistribution);
    const file = files[unsure >= 0 ? unsure : 0]!;
    await page.setInputFiles('#predict-file', { name: file.name, mimeType: 'image/jpeg', buffer: file.bytes });
    await page.waitForSelector('#predict-result .prob-row');
    expect(await page.locator('#predict-result .not-sure').count()).toBe(unsure >= 0 ? 1 : 0);
    await page.locator('#predict-result .why-button').click();
    await page.waitForFunction(() => (document.querySelector('#predict-result figure.heatmap img') as HTMLImageElement | null)?.naturalWidth === 224, undefined, { timeout: 120_000 });
    await page.locator('#predict').screenshot({ path: path.join(SHOTS, 'trust-predict-heatmap.png') });

    // A confusion-matrix mistake: what in the image looks like the wrong class.
    const evaluation = (await (await s.call(`/v1/models/${s.modelId}/versions/1`)).json()) as { metrics: { misclassified: Array<{ actual: string; predicted: string }> } };
    const mistake = evaluation.metrics.misclassified[0]!;
    await page.locator(`#confusion .cm-cell[data-actual="${mistake.actual}"][data-predicted="${mistake.predicted}"]`).click();
    await page.locator('#mistake-why').click();
    await page.waitForFunction(() => (document.querySelector('#mistake-heatmap figure.heatmap img') as HTMLImageElement | null)?.naturalWidth === 224, undefined, { timeout: 120_000 });
    expect(await page.locator('#mistake-heatmap figure.heatmap').getAttribute('data-label')).toBe(mistake.predicted);
    await page.locator('#trust').screenshot({ path: path.join(SHOTS, 'trust-reliability.png') });
    await page.locator('#confusion').screenshot({ path: path.join(SHOTS, 'trust-mistake-heatmap.png') });
    expect(pageErrors).toEqual([]);
  }, 300_000);
});
