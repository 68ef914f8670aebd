/**
 * For working on the dashboard: screenshots of a running dev server (see dev-server.ts), serving the static files
 * from disk so edits show without a restart.
 *   npx tsx test/dashboard/support/dev-shots.ts <baseUrl> <key> <modelId> [outDir]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launchChromium } from './chromium';

const [baseUrl, key, modelId, outDir = 'bench/out/dashboard-dev'] = process.argv.slice(2);
const STATIC = path.join(__dirname, '../../../apps/api/src/dashboard/static');

void (async () => {
  const c = await launchChromium();
  try {
    const page = c.context.pages()[0] ?? (await c.context.newPage());
    page.on('console', (m) => console.log('console:', m.type(), m.text()));
    page.on('pageerror', (e) => console.log('pageerror:', e.message));
    await page.route(`${baseUrl}/dashboard/**`, (route) => {
      const rel = new URL(route.request().url()).pathname.replace(/^\/dashboard\/?/, '') || 'index.html';
      const type = rel.endsWith('.js') ? 'text/javascript' : rel.endsWith('.css') ? 'text/css' : rel.endsWith('.svg') ? 'image/svg+xml' : 'text/html';
      return route.fulfill({ body: readFileSync(path.join(STATIC, rel)), contentType: type });
    });
    await page.goto(`${baseUrl}/dashboard/`);
    await page.fill('#api-key', key!);
    await page.click('#sign-in');
    await page.waitForSelector('.model-card');
    await page.screenshot({ path: `${outDir}/models.png` });
    await page.goto(`${baseUrl}/dashboard/#/models/${modelId}`);
    await page.waitForSelector('#projector-canvas[data-ready="true"]', { timeout: 30_000 });
    const cell = page.locator('.cm-cell[data-correct="false"]:not([data-count="0"])').first();
    await cell.click();
    await page.waitForSelector('#misclassified img[src^="blob:"]');
    await page.screenshot({ path: `${outDir}/model.png`, fullPage: true });
    await page.selectOption('#projector-method', 'tsne');
    await page.waitForSelector('#projector-canvas[data-ready="true"][data-method="tsne"]', { timeout: 30_000 });
    await page.locator('#projector-canvas').scrollIntoViewIfNeeded();
    const pt = await page.evaluate(() => (document.querySelector('#projector-canvas') as HTMLCanvasElement & { screenPoints: Array<{ x: number; y: number }> }).screenPoints[0]);
    const box = (await page.locator('#projector-canvas').boundingBox())!;
    await page.mouse.move(box.x + pt!.x, box.y + pt!.y);
    await page.waitForSelector('#projector-tooltip img[src^="blob:"]');
    await page.locator('#projector').screenshot({ path: `${outDir}/projector-tsne.png` });
    await page.selectOption('#projector-dims', '3');
    await page.waitForSelector('#projector-canvas[data-ready="true"][data-dims="3"]', { timeout: 30_000 });
    await page.locator('#projector').screenshot({ path: `${outDir}/projector-tsne-3d.png` });
    await page.selectOption('#projector-method', 'custom');
    await page.waitForSelector('#projector-canvas[data-ready="true"][data-method="custom"]');
    await page.locator('#projector').screenshot({ path: `${outDir}/projector-custom.png` });
    console.log(await page.locator('#projector-status').textContent());
  } catch (err) {
    console.log(err);
    const page = c.context.pages()[0]!;
    await page.screenshot({ path: `${outDir}/fail.png`, fullPage: true });
    console.log(await page.locator('#projector-status').textContent().catch(() => 'no status'));
  } finally {
    await c.close();
  }
})();
