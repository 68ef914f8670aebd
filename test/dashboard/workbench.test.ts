import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { verifyWebhook } from '@tailor/core';
import type { Page } from 'playwright-core';
import { fashionImages } from '../support/fixtures';
import { startWebhookReceiver, waitFor } from '../support/receivers';
import { startTestTailor, type TestTailor } from '../support/tailor';
import { a11yProblems, horizontalOverflow, unreachableByKeyboard } from './support/a11y-check';
import { launchChromium, type HeadlessChromium } from './support/chromium';
import { classFolder } from './support/dataset-folders';

/** Screenshots of every step, kept as test output (git-ignored) for a person to look at. */
const SHOTS = process.env.DASHBOARD_SCREENSHOT_DIR ?? path.join(__dirname, 'out', 'workbench');

/**
 * The tutorial done in the browser only: create a model from a folder of class folders, drop folders and files, paste
 * URLs, add and rename classes, train and watch, cancel, predict, compare two versions and roll back, make and revoke
 * a key, set the e-mail, add and test a webhook — on the tutorial's JPEGs, against a real server, with real training.
 * The test talks to the API itself only to check what the browser did.
 */
describe('the dashboard as a workbench: the whole tutorial in the browser', () => {
  let t: TestTailor;
  let chromium: HeadlessChromium;
  let page: Page;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let images: http.Server;
  let imagesUrl: string;
  let modelId: string;
  const pageErrors: string[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tailor-workbench-'));
  const call = (p: string, init: RequestInit = {}, key?: string) =>
    fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(key), ...(init.headers as object) } });
  const shot = (name: string, full = true) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: full });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    chromium = await launchChromium();
    hook = await startWebhookReceiver(() => 200);
    // A web server with an image to paste as a URL (and a missing one), on loopback like the receiver.
    const bag = fashionImages('train', 'Sandal', 40)[39]!.bytes;
    images = http.createServer((req, res) => {
      if (req.url === '/sandal.jpeg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(bag);
      else res.writeHead(404).end('not here');
    });
    await new Promise<void>((r) => images.listen(0, '127.0.0.1', r));
    imagesUrl = `http://127.0.0.1:${(images.address() as { port: number }).port}`;
    // The grace before a run over its budget is stopped is wide: the machine running the tests may be busy with other work,
    // and this test is about the browser, not the budget.
    t = await startTestTailor({ TAILOR_MIN_IMAGES_PER_CLASS: '5', TAILOR_TRAIN_TIME_BUDGET_S: '10', TAILOR_TRAIN_GRACE_S: '600', TAILOR_ALLOW_PRIVATE_URLS: 'true' });
    page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    await t?.stop();
    await hook?.stop();
    await new Promise((r) => images?.close(r));
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Accessible names, alt text and contrast on what is on screen now. */
  const expectAccessible = async () => expect(await a11yProblems(page)).toEqual([]);

  it('signs in and creates a model from a folder of class folders, with the settings and their defaults explained', async () => {
    await page.goto(`${t.baseUrl}/dashboard/`);
    await page.fill('#api-key', t.key);
    await page.press('#api-key', 'Enter');
    await page.waitForSelector('#models');
    await page.click('#new-model-link');
    await page.waitForSelector('#model-architecture option[value="finetune:mobilenet_v2_1.0_224_quant"]', { state: 'attached' });
    // Each setting says what it does and its default (the service's time budget is 10 s here).
    expect(await page.locator('[data-setting="timeBudgetSeconds"]').getAttribute('placeholder')).toBe('default 10');
    expect(await page.locator('#model-settings').textContent()).toMatch(/Default 5 \(2–10\)/);
    // CNN epochs apply to the CNNs only: hidden for 'auto', shown for 'cnn1'.
    expect(await page.locator('[data-setting="epochs"]').isVisible()).toBe(false);
    await page.selectOption('#model-architecture', 'cnn1');
    expect(await page.locator('[data-setting="epochs"]').isVisible()).toBe(true);
    expect(await page.locator('#model-architecture-about').textContent()).toMatch(/from scratch/);
    await page.selectOption('#model-architecture', 'auto');
    expect(await unreachableByKeyboard(page, '#new-model-form')).toEqual([]);
    await expectAccessible();

    const folder = classFolder(path.join(tmp, 'fashion'), ['Shirt', 'Sandal', 'Tshirt'], 10);
    await page.setInputFiles('#new-model-folder', folder);
    await page.waitForSelector('#new-model-folder-note:has-text("30 images")');
    expect((await page.inputValue('#model-categories')).split('\n')).toEqual(['Sandal', 'Shirt', 'Tshirt']);
    await page.fill('#model-name', 'Fashion from the browser');
    await page.fill('[data-setting="timeBudgetSeconds"]', '8');
    await shot('01-new-model');
    await page.click('#create-model');

    // The model's Images tab opens and uploads the folder's files, each with its verdict.
    await page.waitForSelector('#upload-list[data-finished="true"]', { timeout: 60_000 });
    modelId = decodeURIComponent(/#\/models\/([^/]+)\/images/.exec(page.url())![1]!);
    const list = page.locator('#upload-list');
    expect(await list.getAttribute('data-stored')).toBe('30');
    expect(await list.getAttribute('data-rejected')).toBe('0');
    const model = await (await call(`/v1/models/${modelId}`)).json();
    expect(model).toMatchObject({ name: 'Fashion from the browser', architecture: 'auto', settings: { timeBudgetSeconds: 8 }, imageCount: 30 });
    await page.waitForSelector('#classes .class-row[data-category="Tshirt"][data-count="10"]');
    await shot('02-uploaded-folder');
  }, 120_000);

  it('skips what is already there when the same folder is dropped again, and offers to add classes a folder brings', async () => {
    await page.setInputFiles('#folder-input', path.join(tmp, 'fashion'));
    await page.waitForSelector('#upload-list[data-finished="true"][data-total="30"]');
    expect(await page.locator('#upload-list').getAttribute('data-skipped')).toBe('30');
    expect(await page.locator('#upload-list').getAttribute('data-stored')).toBe('0');

    // A folder with a class the model lacks: nothing of it is sent until the user decides.
    const more = classFolder(path.join(tmp, 'more'), ['Pullover'], 10);
    classFolder(more, ['Shirt'], 10);
    await page.setInputFiles('#folder-input', more);
    await page.waitForSelector('#unknown-classes');
    expect(await page.locator('#unknown-classes').textContent()).toMatch(/Pullover.*\(10 files\)/);
    await shot('03-unknown-class');
    await page.click('#add-folder-classes');
    await page.waitForSelector('#upload-list[data-finished="true"][data-total="20"]');
    expect(await page.locator('#upload-list').getAttribute('data-stored')).toBe('10');
    expect(await page.locator('#upload-list').getAttribute('data-skipped')).toBe('10');
    await page.waitForSelector('#classes .class-row[data-category="Pullover"][data-count="10"]');
  }, 60_000);

  it('adds a class, drops files onto it (stored, duplicate, corrupt), pastes URLs and renames a class', async () => {
    await page.fill('#new-class-name', 'Coat');
    await page.click('#add-class-submit');
    const coat = page.locator('#classes .class-row[data-category="Coat"]');
    await coat.waitFor();
    expect(await coat.getAttribute('data-count')).toBe('0');

    // Real File objects in a real drop event: six coats, a T-shirt the model already has, and a truncated JPEG.
    const coats = fashionImages('train', 'Coat', 6);
    const tshirt = fashionImages('train', 'Tshirt', 1)[0]!;
    const broken = { name: 'broken.jpeg', bytes: coats[0]!.bytes.subarray(0, Math.floor(coats[0]!.bytes.length / 2)) };
    const files = [...coats, { name: 'tshirt-again.jpeg', bytes: tshirt.bytes }, broken].map((f) => ({ name: f.name, b64: f.bytes.toString('base64') }));
    await page.evaluate((list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: 'image/jpeg' }));
      document.querySelector('#classes .class-row[data-category="Coat"]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, files);
    await page.waitForSelector('#upload-list[data-finished="true"][data-total="8"]');
    const list = page.locator('#upload-list');
    expect(await list.getAttribute('data-stored')).toBe('6');
    expect(await list.getAttribute('data-duplicate')).toBe('1');
    expect(await list.getAttribute('data-rejected')).toBe('1');
    // Problems first, each saying why.
    expect(await page.locator('.upload-row').first().getAttribute('data-status')).toBe('rejected');
    expect(await page.locator('.upload-row[data-status="rejected"] .verdict-message').textContent()).toMatch(/truncated or corrupt/);
    expect(await page.locator('.upload-row[data-status="duplicate"] .verdict-message').textContent()).toMatch(/Tshirt/);
    await shot('04-dropped-files-verdicts');

    // URLs: the server fetches them; a missing one is refused with the reason.
    await page.selectOption('#url-class', 'Sandal');
    await page.fill('#url-list', `${imagesUrl}/sandal.jpeg\n${imagesUrl}/missing.jpeg`);
    await page.click('#url-submit');
    await page.waitForSelector('#upload-list[data-finished="true"][data-total="2"]');
    expect(await list.getAttribute('data-stored')).toBe('1');
    expect(await page.locator('.upload-row[data-status="rejected"] .verdict-message').textContent()).toMatch(/404/);

    await page.click('[data-rename="Tshirt"]');
    await page.fill('[data-rename-input="Tshirt"]', 'T-shirt');
    await page.press('[data-rename-input="Tshirt"]', 'Enter');
    await page.waitForSelector('#classes .class-row[data-category="T-shirt"][data-count="10"]');
    expect(await page.locator('#classes-status').textContent()).toMatch(/Renamed Tshirt to T-shirt/);
    const model = await (await call(`/v1/models/${modelId}`)).json();
    expect(model.categories).toEqual([
      { name: 'Sandal', count: 11 },
      { name: 'Shirt', count: 10 },
      { name: 'T-shirt', count: 10 },
      { name: 'Pullover', count: 10 },
      { name: 'Coat', count: 6 },
    ]);
    await expectAccessible();
    expect(await unreachableByKeyboard(page, '#add-images')).toEqual([]);
    await shot('05-classes');
  }, 60_000);

  /** Waits for the run on the overview to end, noting what the live panel showed meanwhile. */
  async function watchRun() {
    const seen = { progress: new Set<string>(), phases: new Set<string>(), eta: false, candidate: false, badges: new Set<string>() };
    await page.waitForSelector('#run-progress');
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline && (await page.locator('#run-progress').count())) {
      const facts = await page
        .evaluate(() => ({
          value: document.querySelector('#run-progress progress')?.getAttribute('value'),
          phase: document.querySelector('#run-phase')?.textContent,
          eta: document.querySelector('#run-eta')?.textContent,
          candidate: document.querySelector('#run-candidate')?.textContent,
          badge: document.querySelector('.model-header .badge')?.textContent,
        }))
        .catch(() => undefined);
      if (facts?.value) seen.progress.add(facts.value);
      if (facts?.phase) seen.phases.add(facts.phase);
      if (facts?.badge) seen.badges.add(facts.badge);
      if (facts?.eta && /\d+ s/.test(facts.eta)) seen.eta = true;
      if (facts?.candidate && facts.candidate !== '–') seen.candidate = true;
      if (seen.progress.size === 3) await shot('06-training-live', false);
      await page.waitForTimeout(200);
    }
    return seen;
  }

  it('trains from the Train button, cancels a run, trains again and shows live progress until the result replaces the page', async () => {
    await page.click('#model-tabs [data-tab="overview"]');
    await page.waitForSelector('#train-button:not([disabled])');
    await page.click('#train-button');
    await page.waitForSelector('#cancel-run');
    await page.click('#cancel-run');
    await page.waitForSelector('#train-button:not([disabled])', { timeout: 60_000 });
    const runs = (await (await call(`/v1/models/${modelId}/runs`)).json()).runs;
    expect(runs[0].status).toBe('canceled');

    await page.click('#train-settings summary');
    await page.fill('#train-settings [data-setting="folds"]', '3');
    await page.click('#train-button');
    const seen = await watchRun();
    expect(seen.progress.size).toBeGreaterThanOrEqual(2);
    expect(seen.phases.size).toBeGreaterThanOrEqual(2);
    expect(seen.eta).toBe(true);
    expect(seen.candidate).toBe(true);
    // The header follows the run too (it reloads when the run starts).
    expect([...seen.badges].some((b) => b === 'Queued' || b === 'Training')).toBe(true);
    await page.waitForSelector('#summary h2:has-text("Version 1")');
    const run = (await (await call(`/v1/models/${modelId}/runs`)).json()).runs[0];
    expect(run).toMatchObject({ status: 'succeeded', imageCount: 47 });
    const version = await (await call(`/v1/models/${modelId}/versions/1`)).json();
    expect(version.settings).toMatchObject({ folds: 3, timeBudgetSeconds: 8 });
    expect(version.classes).toEqual(['Sandal', 'Shirt', 'T-shirt', 'Pullover', 'Coat']);
    await page.waitForSelector('#confusion .cm-cell');
    await shot('07-trained');
  }, 300_000);

  it('predicts a dropped image', async () => {
    const [file] = fashionImages('test', 'Sandal', 1);
    await page.setInputFiles('#predict-file', { name: file!.name, mimeType: 'image/jpeg', buffer: file!.bytes });
    await page.waitForSelector('#predict-result .prob-row');
    expect(await page.locator('#predict-result .prob-row').count()).toBe(5);
    expect(await page.locator('#predict-result .predicted').getAttribute('data-label')).toBe('Sandal');
    await page.locator('#predict').scrollIntoViewIfNeeded();
    await page.locator('#predict').screenshot({ path: path.join(SHOTS, '08-predict.png') });
  });

  it('compares two versions side by side, lists the images whose prediction changed, and rolls back', async () => {
    // A second version trained differently (another seed and fold count) so some predictions change.
    await page.click('#train-settings summary');
    await page.fill('#train-settings [data-setting="folds"]', '4');
    await page.click('#train-button');
    await watchRun();
    await page.waitForSelector('#summary h2:has-text("Version 2")');

    await page.click('#model-tabs [data-tab="compare"]');
    await page.waitForSelector('#changed-images');
    expect(await page.locator('.compare-column').count()).toBe(2);
    expect(await page.locator('.compare-column[data-version="1"] .cm-cell').count()).toBe(25);
    expect(await page.locator('.compare-column[data-version="2"] .cm-cell').count()).toBe(25);
    expect(await page.locator('#compare-per-class tbody tr').count()).toBe(5);
    const [v1, v2] = await Promise.all([1, 2].map(async (n) => (await call(`/v1/models/${modelId}/versions/${n}`)).json()));
    expect(await page.locator('.compare-column[data-version="1"] .compare-accuracy').textContent()).toBe(`${(v1.metrics.accuracy * 100).toFixed(1)}%`);
    expect(await page.locator('.compare-column[data-version="2"] .compare-accuracy').textContent()).toBe(`${(v2.metrics.accuracy * 100).toFixed(1)}%`);

    // The list is the API's comparison, and that comparison is what the two evaluations say image by image.
    const changes = await (await call(`/v1/models/${modelId}/versions/1/compare/2`)).json();
    expect(changes.compared).toBe(47);
    const wrongIn = (v: { metrics: { misclassified: Array<{ predicted: string; imageIds: string[] }> } }) =>
      new Map(v.metrics.misclassified.flatMap((c) => c.imageIds.map((id) => [id, c.predicted] as const)));
    const [w1, w2] = [wrongIn(v1), wrongIn(v2)];
    const expected = [...new Set([...w1.keys(), ...w2.keys()])].filter((id) => w1.get(id) !== w2.get(id)).sort();
    expect(changes.changed.map((c: { imageId: string }) => c.imageId).sort()).toEqual(expected);
    const shown = await page.$$eval('#changed-images .changed-item', (els) => els.map((e) => (e as HTMLElement).dataset.imageId!).sort());
    expect(shown).toEqual(expected);
    if (expected.length) {
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('#changed-images img')].every((i) => i.complete && i.naturalWidth > 0));
    }
    console.log(`compare v1 → v2: ${changes.fixed} fixed, ${changes.broken} broken, ${changes.changed.length} changed of ${changes.compared}`);
    await expectAccessible();
    await shot('09-compare');

    await page.click('[data-activate="1"]');
    await page.waitForSelector('#compare-status:has-text("Version 1 is now active")');
    await page.waitForSelector('.compare-column[data-version="1"] .badge-ok');
    const versions = (await (await call(`/v1/models/${modelId}/versions`)).json()).versions;
    expect(versions.find((v: { active: boolean }) => v.active).number).toBe(1);
    await shot('10-rolled-back');
  }, 300_000);

  it('creates a key (shown once) and revokes it, sets the notification e-mail, adds a webhook and tests it', async () => {
    await page.click('#nav [data-nav="account"]');
    await page.waitForSelector('#keys-table');
    await page.fill('#account-email', 'owner@example.test');
    await page.click('#email-save');
    await page.waitForSelector('#email-status:has-text("owner@example.test")');
    expect((await (await call('/v1/account')).json()).email).toBe('owner@example.test');

    await page.fill('#key-name', 'phone-app');
    await page.click('#key-create');
    await page.waitForSelector('#new-key');
    const key = (await page.locator('#new-key .secret-value').textContent())!;
    expect(key).toMatch(/^tl_/);
    expect((await call('/v1/models', {}, key)).status).toBe(200);
    // A predict key cannot train.
    expect((await call(`/v1/models/${modelId}/train`, { method: 'POST' }, key)).status).toBe(403);
    await shot('11-key-created');
    const row = page.locator('#keys-table tr', { hasText: 'phone-app' });
    await row.locator('[data-revoke]').click();
    await row.locator('[data-revoke]:has-text("Press again")').click();
    await page.waitForSelector('#keys-table tr[data-revoked="true"]:has-text("phone-app")');
    expect((await call('/v1/models', {}, key)).status).toBe(401);

    await page.fill('#webhook-url', hook.url);
    await page.selectOption('#webhook-model', modelId);
    await page.click('#webhook-add');
    await page.waitForSelector('#webhook-secret');
    const secret = (await page.locator('#webhook-secret .secret-value').textContent())!;
    await page.click('[data-test]');
    await page.waitForSelector('#webhooks-status:has-text("Test delivered")', { timeout: 60_000 });
    const received = await waitFor(() => hook.received.find((r) => r.headers['x-tailor-event'] === 'webhook.test'), 10_000, 'the test delivery');
    expect(verifyWebhook(secret, received.body, String(received.headers['x-tailor-signature']), Math.floor(Date.now() / 1000))).toBe(true);
    expect(await page.locator('.delivery-table tr[data-status="delivered"]').count()).toBe(1);
    await expectAccessible();
    expect(await unreachableByKeyboard(page, '#app')).toEqual([]);
    await shot('12-keys-notifications');
  }, 120_000);

  it('fits a phone-width screen on every view, without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const views: Array<[string, string, string]> = [
      ['models', '#/', '#models .model-card'],
      ['new-model', '#/new', '#model-architecture option'],
      ['images', `#/models/${modelId}/images`, '#classes .class-row'],
      ['overview', `#/models/${modelId}`, '#confusion .cm-cell'],
      ['compare', `#/models/${modelId}/compare`, '#changed-images'],
      ['account', '#/account', '#keys-table'],
    ];
    for (const [name, hash, ready] of views) {
      await page.goto(`${t.baseUrl}/dashboard/${hash}`);
      await page.waitForSelector(ready, { state: 'attached' });
      await page.waitForTimeout(300);
      expect({ name, overflow: await horizontalOverflow(page) }).toEqual({ name, overflow: [] });
      // Nothing the page meant to leave out was written as text instead.
      expect({ name, text: (await page.locator('#app').innerText()).match(/\b(null|undefined|NaN)\b/g) }).toEqual({ name, text: null });
      await expectAccessible();
      await shot(`13-phone-${name}`);
    }
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
