import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { getBackboneSpec } from './catalog';
import { BackboneIntegrityError, defaultBackboneDir, resolveBackboneBytes, sha256Hex } from './resolve-file';

const spec = getBackboneSpec('mobilenet_v1_1.0_224_quant_embedding');

describe('resolveBackboneBytes', () => {
  let server: Server;
  let baseUrl: string;
  let requests: string[];
  let body: Buffer;
  let tmp: string;

  beforeAll(async () => {
    body = await readFile(path.join(defaultBackboneDir(), spec.fileName));
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/model.tflite' }).end();
      } else if (req.url === '/model.tflite') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(async () => {
    requests = [];
    tmp = await mkdtemp(path.join(tmpdir(), 'tailor-backbone-'));
  });
  afterEach(() => rm(tmp, { recursive: true, force: true }));

  it('uses the verified local file without any download', async () => {
    const bytes = await resolveBackboneBytes(spec, { cacheDir: path.join(tmp, 'cache'), url: `${baseUrl}/model.tflite` });
    expect(sha256Hex(bytes)).toBe(spec.sha256);
    expect(requests).toEqual([]);
  });

  it('downloads (following redirects), verifies, caches, then serves from the cache', async () => {
    const opts = { localDir: path.join(tmp, 'empty'), cacheDir: path.join(tmp, 'cache'), url: `${baseUrl}/redirect` };
    const bytes = await resolveBackboneBytes(spec, opts);
    expect(sha256Hex(bytes)).toBe(spec.sha256);
    expect(requests).toEqual(['/redirect', '/model.tflite']);
    expect(await readdir(opts.cacheDir)).toEqual([spec.fileName]);
    await resolveBackboneBytes(spec, opts);
    expect(requests).toHaveLength(2);
  });

  it('rejects a download whose sha256 does not match and caches nothing', async () => {
    const wrong = { ...spec, sha256: '0'.repeat(64) };
    const cacheDir = path.join(tmp, 'cache');
    await expect(resolveBackboneBytes(wrong, { localDir: path.join(tmp, 'empty'), cacheDir, url: `${baseUrl}/model.tflite` })).rejects.toThrow(
      BackboneIntegrityError,
    );
    expect(requests).toEqual(['/model.tflite']);
    await expect(readdir(cacheDir)).rejects.toThrow(/ENOENT/);
  });

  it('rejects a corrupted local file instead of using it', async () => {
    const localDir = path.join(tmp, 'local');
    await mkdir(localDir);
    const corrupt = Buffer.from(body);
    corrupt[1000] ^= 0xff;
    await writeFile(path.join(localDir, spec.fileName), corrupt);
    await expect(resolveBackboneBytes(spec, { localDir, cacheDir: path.join(tmp, 'cache') })).rejects.toThrow(/sha256 mismatch/);
  });

  it('reports HTTP failures', async () => {
    await expect(
      resolveBackboneBytes(spec, { localDir: path.join(tmp, 'empty'), cacheDir: path.join(tmp, 'cache'), url: `${baseUrl}/missing` }),
    ).rejects.toThrow(/HTTP 404/);
  });
});
