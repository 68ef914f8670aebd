import type { Page } from 'playwright-core';
import { startTestTailor, type TestTailor } from '../support/tailor';
import { a11yProblems } from './support/a11y-check';
import { launchChromium, type HeadlessChromium } from './support/chromium';

/** The account page's usage card, in headless Chromium against a real server with small quotas. */
describe('dashboard: usage and quotas on the account page', () => {
  let t: TestTailor;
  let chromium: HeadlessChromium;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    chromium = await launchChromium();
    t = await startTestTailor({ TAILOR_QUOTA_MODELS: '2', TAILOR_QUOTA_WEBHOOKS: '0', TAILOR_RATE_LIMIT_PER_MINUTE: '600' });
    page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    await t?.stop();
  });

  it('shows each quota with what is used, a full one marked, and the request limit', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${t.baseUrl}/v1/models`, {
        method: 'POST',
        headers: { authorization: t.auth(), 'content-type': 'application/json' },
        body: JSON.stringify({ categories: ['A', 'B'] }),
      });
      expect(res.status).toBe(201);
    }
    await page.goto(`${t.baseUrl}/dashboard/`);
    await page.fill('#api-key', t.key);
    await page.press('#api-key', 'Enter');
    await page.waitForSelector('#models');
    await page.goto(`${t.baseUrl}/dashboard/#/account`);
    await page.waitForSelector('#usage');

    const row = (quota: string) => page.locator(`#usage [data-quota="${quota}"]`);
    expect(await row('models').textContent()).toBe('Models2 of 2 (full)');
    expect(await page.locator('#quota-models').getAttribute('value')).toBe('2');
    expect(await page.locator('#quota-models').getAttribute('max')).toBe('2');
    expect(await row('images').textContent()).toBe('Images0 of 50000');
    expect(await row('storedBytes').textContent()).toBe('Stored images0.0 MB of 10.0 GB');
    expect(await row('trainingMinutesToday').textContent()).toBe('Training today0 min of 240 min');
    expect(await row('activeRuns').textContent()).toBe('Runs queued or running0 of 3');
    expect(await row('webhooks').textContent()).toBe('Webhooks0 (no limit)');
    expect(await page.locator('#usage').textContent()).toMatch(/Each API key may make 600 requests a minute\./);
    expect(await a11yProblems(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
