/**
 * The projector at the size the issue names (~1,000 images): trains a 10-class model on 100 tutorial JPEGs per
 * class, then times the embeddings route (first and cached), the projector.zip export, and t-SNE in Chromium on the
 * real embeddings; leaves a screenshot in bench/out/dashboard-scale/.
 *   npx tsx test/dashboard/support/scale-check.ts
 */
import { mkdirSync } from 'node:fs';
import { FASHION_CLASSES } from '../../support/fixtures';
import { launchChromium } from './chromium';
import { startTrainedTailor } from './trained-model';

const OUT = 'bench/out/dashboard-scale';

void (async () => {
  mkdirSync(OUT, { recursive: true });
  let t0 = Date.now();
  const s = await startTrainedTailor(100, FASHION_CLASSES);
  const report: Record<string, number> = { trainSeconds: (Date.now() - t0) / 1000 };
  try {
    const url = `/v1/models/${s.modelId}/versions/1`;
    t0 = Date.now();
    const body = (await (await s.call(`${url}/embeddings`)).json()) as { count: number; dim: number };
    report.embeddingsFirstSeconds = (Date.now() - t0) / 1000;
    report.points = body.count;
    report.dim = body.dim;
    t0 = Date.now();
    const res = await s.call(`${url}/embeddings`);
    report.embeddingsBytes = (await res.arrayBuffer()).byteLength;
    report.embeddingsCachedSeconds = (Date.now() - t0) / 1000;
    t0 = Date.now();
    report.zipBytes = (await (await s.call(`${url}/projector.zip`)).arrayBuffer()).byteLength;
    report.zipSeconds = (Date.now() - t0) / 1000;
    const c = await launchChromium();
    try {
      const page = c.context.pages()[0] ?? (await c.context.newPage());
      await page.goto(`${s.t.baseUrl}/dashboard/`);
      await page.fill('#api-key', s.t.key);
      await page.click('#sign-in');
      await page.waitForSelector('.model-card');
      await page.goto(`${s.t.baseUrl}/dashboard/#/models/${s.modelId}`);
      await page.waitForSelector('#projector-canvas[data-ready="true"][data-method="pca"]', { timeout: 300_000 });
      await page.locator('#projector').screenshot({ path: `${OUT}/pca.png` });
      t0 = Date.now();
      await page.selectOption('#projector-method', 'tsne');
      await page.waitForSelector('#projector-canvas[data-ready="true"][data-method="tsne"]', { timeout: 300_000 });
      report.browserTsneSeconds = (Date.now() - t0) / 1000;
      await page.locator('#projector').screenshot({ path: `${OUT}/tsne.png` });
      console.log(await page.locator('#projector-status').textContent());
    } finally {
      await c.close();
    }
  } finally {
    console.log(JSON.stringify(report));
    await s.t.stop();
  }
})();
