import http from 'node:http';
import { fashionImages, form, urlencoded } from '../support/fixtures';
import { startTestTailor, type TestTailor } from '../support/tailor';

const V2 = '/api/v2/ImageCategorization';

/** A loopback server handing out real JPEGs, a redirect, and a slow response. */
async function startImageServer() {
  const jpeg = fashionImages('train', 'Coat', 2);
  const server = http.createServer((req, res) => {
    if (req.url === '/coat0.jpeg') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg[0]!.bytes);
    if (req.url === '/coat1.jpeg') return res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg[1]!.bytes);
    if (req.url === '/redirect-to-metadata') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    if (req.url === '/slow') return setTimeout(() => res.writeHead(200).end('late'), 3000);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { base: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('NanoNets v2: URLs and limits', () => {
  let images: Awaited<ReturnType<typeof startImageServer>>;
  beforeAll(async () => {
    images = await startImageServer();
  });
  afterAll(async () => images?.stop());

  describe('with the default address policy', () => {
    let t: TestTailor;
    beforeAll(async () => {
      t = await startTestTailor({ TAILOR_MAX_UPLOAD_BYTES: '20000', TAILOR_MAX_FILES_PER_REQUEST: '3' });
    });
    afterAll(async () => t?.stop());
    const call = (p: string, init: RequestInit = {}) => fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });

    it('refuses loopback and link-local URLs per URL, storing nothing', async () => {
      const m = await (await call(`${V2}/Model/`, { method: 'POST', body: urlencoded({ categories: ['Coat', 'Bag'] }) })).json();
      const res = await call(`${V2}/UploadUrls/`, {
        method: 'POST',
        body: urlencoded({ modelId: m.model_id, category: 'Coat', urls: [`${images.base}/coat0.jpeg`, 'http://169.254.169.254/latest/meta-data', 'file:///etc/passwd'] }),
      });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.result).toHaveLength(3);
      for (const r of body.result) expect(r.message).toMatch(/^Failure: download failed: (refusing to fetch from a private or local address|only http and https)/);
      expect(body.categories.find((c: { name: string }) => c.name === 'Coat').count).toBe(0);
    });

    it('rejects an oversized file with its own result (202) and stores the rest', async () => {
      const m = await (await call(`${V2}/Model/`, { method: 'POST', body: urlencoded({ categories: ['Coat', 'Bag'] }) })).json();
      const big = { name: 'big.jpg', bytes: Buffer.concat([fashionImages('train', 'Coat', 1)[0]!.bytes, Buffer.alloc(30000)]) };
      const res = await call(`${V2}/UploadFile/`, { method: 'POST', body: form({ modelId: m.model_id, category: 'Coat' }, [...fashionImages('train', 'Coat', 1), big]) });
      expect(res.status).toBe(202);
      const body = await res.json();
      expect(body.result.find((r: { file: string }) => r.file === 'big.jpg').message).toMatch(/larger than 20000 bytes/);
      expect(body.categories.find((c: { name: string }) => c.name === 'Coat').count).toBe(1);
    });

    it('answers 413 for too many files in one request and stores none of them', async () => {
      const m = await (await call(`${V2}/Model/`, { method: 'POST', body: urlencoded({ categories: ['Coat', 'Bag'] }) })).json();
      const res = await call(`${V2}/UploadFile/`, { method: 'POST', body: form({ modelId: m.model_id, category: 'Bag' }, fashionImages('train', 'Bag', 5)) });
      expect(res.status).toBe(413);
      expect((await res.json()).errors[0].message).toMatch(/Too many files .*limit 3.*nothing was stored/);
      const after = await (await call(`${V2}/Model/?modelId=${m.model_id}`)).json();
      expect(after.categories.find((c: { name: string }) => c.name === 'Bag').count).toBe(0);
    });

    it('lists every endpoint with its schema in the OpenAPI document behind /docs', async () => {
      const doc = await (await fetch(`${t.baseUrl}/docs/json`)).json();
      const paths = Object.keys(doc.paths);
      for (const p of ['Model/', 'Model/{modelId}', 'Models/', 'UploadFile/', 'Model/{modelId}/UploadFile/', 'UploadUrls/', 'Train/', 'Model/{modelId}/Train/', 'LabelFile/', 'Model/{modelId}/LabelFile/', 'LabelUrls/']) {
        expect(paths).toContain(`${V2}/${p}`);
      }
      for (const p of ['/v1/models', '/v1/models/{modelId}/train', '/v1/models/{modelId}/runs/{runId}/events', '/v1/models/{modelId}/versions', '/v1/models/{modelId}/predict', '/v1/webhooks']) {
        expect(paths).toContain(p);
      }
      expect(doc.paths[`${V2}/Model/`].post.requestBody).toBeDefined();
      expect((await fetch(`${t.baseUrl}/docs`)).status).toBe(200);
    });
  });

  describe('with private URLs allowed by the operator', () => {
    let t: TestTailor;
    beforeAll(async () => {
      t = await startTestTailor({ TAILOR_ALLOW_PRIVATE_URLS: 'true', TAILOR_URL_FETCH_TIMEOUT_MS: '1000' });
    });
    afterAll(async () => t?.stop());
    const call = (p: string, init: RequestInit = {}) => fetch(t.baseUrl + p, { ...init, headers: { authorization: t.auth(), ...(init.headers as object) } });

    it('uploads by URL, reporting a timeout per URL (202)', async () => {
      const m = await (await call(`${V2}/Model/`, { method: 'POST', body: urlencoded({ categories: ['Coat', 'Bag'] }) })).json();
      const res = await call(`${V2}/Model/${m.model_id}/UploadUrls/`, {
        method: 'POST',
        body: urlencoded({ category: 'Coat', urls: [`${images.base}/coat0.jpeg`, `${images.base}/coat1.jpeg`, `${images.base}/slow`] }),
      });
      expect(res.status).toBe(202);
      const body = await res.json();
      expect(body.result.filter((r: { status: string }) => r.status === 'stored')).toHaveLength(2);
      expect(body.result.find((r: { file: string }) => r.file.endsWith('/slow')).message).toMatch(/timed out/);
      expect(body.categories.find((c: { name: string }) => c.name === 'Coat').count).toBe(2);
    });
  });
});
