/**
 * t-SNE and PCA timing in headless Chromium on ~1,000 points (what the projector view runs in the worker):
 *   npx tsx test/dashboard/support/tsne-bench.ts [points] [dims]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launchChromium } from './chromium';

const [points = '1000', dims = '640'] = process.argv.slice(2);
const STATIC = path.join(__dirname, '../../../apps/api/src/dashboard/static');

void (async () => {
  const c = await launchChromium();
  try {
    const page = c.context.pages()[0] ?? (await c.context.newPage());
    await page.route('http://bench.local/**', (route) => {
      const rel = new URL(route.request().url()).pathname.slice(1) || 'index.html';
      return route.fulfill({ body: rel === 'index.html' ? '<!doctype html><title>bench</title>' : readFileSync(path.join(STATIC, rel)), contentType: rel.endsWith('.js') ? 'text/javascript' : 'text/html' });
    });
    await page.goto('http://bench.local/');
    // A string, not a function: tsx would inject helpers into a function's source that do not exist in the page.
    const result = (await page.evaluate(`(async () => {
      const n = ${Number(points)}, d = ${Number(dims)};
      const { tsne } = await import('/js/projector/tsne.js');
      const { pca } = await import('/js/projector/pca.js');
      let s = 1;
      const r = () => ((s = (s * 16807) % 2147483647) / 2147483647);
      const centres = Array.from({ length: 10 }, () => Array.from({ length: d }, () => r() * 4));
      const data = new Float32Array(n * d);
      for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) data[i * d + k] = centres[i % 10][k] + (r() - 0.5) * 3;
      let t = performance.now();
      pca(data, n, d, 3);
      const pcaMs = performance.now() - t;
      t = performance.now();
      tsne(data, n, d, { dims: 2 });
      const tsne2Ms = performance.now() - t;
      t = performance.now();
      tsne(data, n, d, { dims: 3 });
      return { pcaMs, tsne2Ms, tsne3Ms: performance.now() - t };
    })()`)) as Record<string, number>;
    console.log(JSON.stringify({ points: Number(points), dims: Number(dims), ...result }));
  } finally {
    await c.close();
  }
})();
