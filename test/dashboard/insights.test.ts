import type { Page } from 'playwright-core';
import { fashionImages, form } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';
import { launchChromium, type HeadlessChromium } from './support/chromium';

/**
 * The dashboard's "Label these next" list and "Dataset audit" panel in Chromium, on a model trained with a Bag filed
 * under Trouser and a few unlabelled images: the flipped Bag is listed with one-click relabel, which takes it off;
 * clicking a class on a suggestion labels that image and takes it off the list.
 */
describe('dashboard: dataset audit and "label these next"', () => {
  let t: TestTailor;
  let chromium: HeadlessChromium;
  let page: Page;
  let modelId: string;
  let flipped: string;
  const pageErrors: string[] = [];
  const call = (p: string, init: RequestInit = {}) => fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });

  beforeAll(async () => {
    chromium = await launchChromium();
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_TRAIN_TIME_BUDGET_S: '5' });
    modelId = (await (await call('/v1/models', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ categories: ['Bag', 'Trouser', 'Sandal'] }) })).json()).id;
    const up = async (fields: Record<string, string>, files: Array<{ name: string; bytes: Buffer }>) =>
      ((await (await call(`/v1/models/${modelId}/images`, { method: 'POST', body: form(fields, files) })).json()).results as Array<{ imageId: string }>).map((r) => r.imageId);
    const bags = fashionImages('train', 'Bag', 9);
    await up({ category: 'Bag' }, bags.slice(0, 8));
    await up({ category: 'Trouser' }, fashionImages('train', 'Trouser', 8));
    await up({ category: 'Sandal' }, fashionImages('train', 'Sandal', 8));
    [flipped] = await up({ category: 'Trouser' }, bags.slice(8));
    await up({}, ['Bag', 'Trouser', 'Sandal'].flatMap((c) => fashionImages('test', c, 2)));
    const run = await (await call(`/v1/models/${modelId}/train`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ seed: 1 }) })).json();
    for (let i = 0; i < 600; i++) {
      const r = await (await call(`/v1/models/${modelId}/runs/${run.id}`)).json();
      if (r.status === 'succeeded') break;
      if (['failed', 'canceled'].includes(r.status)) throw new Error(`training ${r.status}: ${r.error}`);
      await new Promise((res) => setTimeout(res, 500));
    }
    page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${t.baseUrl}/dashboard/`);
    await page.evaluate((key) => sessionStorage.setItem('tailor.apiKey', key), t.key);
    await page.goto(`${t.baseUrl}/dashboard/#/models/${modelId}`);
  }, 600_000);
  afterAll(async () => {
    await chromium?.close();
    await t?.stop();
  });

  it('lists the flipped image as a label error with thumbnails, and one click relabels it', async () => {
    const row = page.locator(`#audit-label-errors .audit-item[data-image-id="${flipped}"]`);
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Labelled Trouser, looks like Bag/);
    await page.waitForFunction((id) => (document.querySelector(`#audit-label-errors .audit-item[data-image-id="${id}"] img.thumb`) as HTMLImageElement | null)?.src.startsWith('blob:'), flipped);
    expect(await page.locator('#audit .audit-balance').textContent()).toMatch(/Class balance/);
    await row.locator('button.relabel').click();
    await row.waitFor({ state: 'detached' });
    const image = await (await call(`/v1/models/${modelId}/images?labeled=true&category=Bag`)).json();
    expect(image.images.map((i: { id: string }) => i.id)).toContain(flipped);
    expect(await page.locator('#audit .audit-summary').textContent()).toMatch(/1 fixed since/);
  });

  it('labels a suggested image by clicking a class, and the list moves up', async () => {
    const items = page.locator('#label-next .suggestion');
    await items.first().waitFor();
    expect(await items.count()).toBe(6);
    const first = items.first();
    const id = await first.getAttribute('data-image-id');
    expect(await first.locator('.reason').textContent()).toMatch(/the model/);
    await first.locator('button[data-label="Sandal"]').click();
    await page.waitForFunction((x) => !document.querySelector(`#label-next .suggestion[data-image-id="${x}"]`), id);
    expect(await items.count()).toBe(5);
    const listed = await (await call(`/v1/models/${modelId}/images?labeled=true&category=Sandal`)).json();
    expect(listed.images.map((i: { id: string }) => i.id)).toContain(id);
    expect(pageErrors).toEqual([]);
  });
});
