import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { urlencoded } from '../support/fixtures';
import { freePort, startServerProcess } from '../support/server-process';

describe('embedded mode: npm start with no external servers', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tailor-embedded-'));
    // As root, initdb runs as a separate postgres user, which must be able to enter the data dir.
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('starts with an embedded PostgreSQL, prints a fresh key, and keeps its data across a restart', async () => {
    const [port, pgPort] = [await freePort(), await freePort()];
    const env = { PORT: String(port), TAILOR_DATA_DIR: dataDir, TAILOR_EMBEDDED_PG_PORT: String(pgPort) };
    const url = `http://127.0.0.1:${port}`;

    const first = startServerProcess(env);
    await first.waitForHealth(url);
    const key = /(tl_[A-Za-z0-9_-]{32})/.exec(first.output())?.[1];
    expect(key).toBeDefined();
    expect(first.output()).toContain(`http://localhost:${port}`);
    const auth = { authorization: 'Basic ' + Buffer.from(`${key}:`).toString('base64') };
    const created = await fetch(`${url}/api/v2/ImageCategorization/Model/`, {
      method: 'POST',
      headers: auth,
      body: urlencoded({ categories: ['cats', 'dogs'] }),
    });
    expect(created.status).toBe(200);
    const { model_id } = await created.json();
    expect(await first.stop()).toBe(0);

    const second = startServerProcess(env);
    await second.waitForHealth(url);
    // Not an empty installation any more: no new key is printed, and the old key and model are still there.
    expect(second.output()).not.toMatch(/tl_[A-Za-z0-9_-]{32}/);
    const res = await fetch(`${url}/api/v2/ImageCategorization/Model/?modelId=${model_id}`, { headers: auth });
    expect(res.status).toBe(200);
    expect((await res.json()).categories).toEqual([
      { name: 'cats', count: 0 },
      { name: 'dogs', count: 0 },
    ]);
    expect(await second.stop()).toBe(0);
  });

  it('refuses a bad configuration with a message naming the variable', async () => {
    const proc = startServerProcess({ PORT: 'not-a-port', TAILOR_DATA_DIR: dataDir });
    expect(await proc.stop('SIGCONT')).toBe(2);
    expect(proc.output()).toMatch(/PORT: /);
  });
});
