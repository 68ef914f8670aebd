import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { REPO_ROOT } from '@tailor/config';
import { urlencoded } from '../support/fixtures';
import { freePort, startServerProcess } from '../support/server-process';

/** The embedded postmaster of a data dir: its pid (from postmaster.pid) and the uid it runs as; undefined when none runs. */
async function postmaster(dataDir: string): Promise<{ pid: number; uid: number } | undefined> {
  const pid = Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
  const status = pid > 0 ? await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '') : '';
  if (!status || /^State:\s+Z/m.test(status)) return undefined;
  return { pid, uid: Number(/^Uid:\s+(\d+)/m.exec(status)![1]) };
}

async function connects(port: number, password: string): Promise<true | string> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'tailor', password, database: 'tailor' });
  try {
    await client.connect();
    return true;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * `npm start` as the issue ran it: as root (the CI machine's user), with TAILOR_DATA_DIR inside a folder only its owner
 * may enter (like root's 0700 home or a `mktemp -d`), and the server killed with SIGKILL between starts.
 */
describe('embedded mode: npm start with no external servers', () => {
  let privateDir: string;
  let dataDir: string;
  let env: Record<string, string>;
  let url: string;
  let pgPort: number;
  let key: string;
  let modelId: string;
  const auth = () => ({ authorization: 'Basic ' + Buffer.from(`${key}:`).toString('base64') });

  beforeAll(async () => {
    privateDir = await mkdtemp(path.join(os.tmpdir(), 'tailor-embedded-'));
    await chmod(privateDir, 0o700);
    dataDir = path.join(privateDir, 'data');
    const port = await freePort();
    pgPort = await freePort();
    env = { PORT: String(port), TAILOR_DATA_DIR: dataDir, TAILOR_EMBEDDED_PG_PORT: String(pgPort) };
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => rm(privateDir, { recursive: true, force: true }));

  it('starts from a data dir inside a private folder, prints a fresh key, and keeps its data across a restart', async () => {
    const first = startServerProcess(env);
    await first.waitForHealth(url);
    key = /(tl_[A-Za-z0-9_-]{32})/.exec(first.output())![1]!;
    expect(first.output()).toContain(`http://localhost:${port(url)}`);
    const created = await fetch(`${url}/api/v2/ImageCategorization/Model/`, {
      method: 'POST',
      headers: auth(),
      body: urlencoded({ categories: ['cats', 'dogs'] }),
    });
    expect(created.status).toBe(200);
    modelId = (await created.json()).model_id;
    // PostgreSQL refuses root: it runs as another user, who reaches the cluster although it cannot enter privateDir.
    expect((await stat(privateDir)).mode & 0o777).toBe(0o700);
    expect((await postmaster(dataDir))!.uid).not.toBe(0);
    expect(await first.stop()).toBe(0);
    expect(await postmaster(dataDir)).toBeUndefined();

    const second = startServerProcess(env);
    await second.waitForHealth(url);
    // Not an empty installation any more: no new key is printed, and the old key and model are still there.
    expect(second.output()).not.toMatch(/tl_[A-Za-z0-9_-]{32}/);
    await expectModelKept();
    expect(await second.stop()).toBe(0);
  });

  it('has a superuser password of its own, in a file only its owner can read, that the admin CLI finds', async () => {
    const file = path.join(dataDir, 'postgres-password');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const secret = (await readFile(file, 'utf8')).trim();
    expect(secret).not.toBe('tailor');
    const server = startServerProcess(env);
    await server.waitForHealth(url);
    try {
      expect(await connects(pgPort, 'tailor')).toBe('28P01'); // invalid_password
      expect(await connects(pgPort, secret)).toBe(true);
      // The admin CLI uses the running server's PostgreSQL (the same data dir), and leaves it running.
      const admin = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'apps/server/src/admin.ts'), 'accounts', 'list'], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', TAILOR_DATA_DIR: dataDir, TAILOR_EMBEDDED_PG_PORT: String(pgPort) },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect({ status: admin.status, out: admin.stdout + admin.stderr }).toMatchObject({ status: 0, out: expect.stringMatching(/ admin {2}keys=1 models=1 /) });
      await expectModelKept();
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('comes back up by itself after the server was killed with SIGKILL, its data intact', async () => {
    const killed = startServerProcess(env);
    await killed.waitForHealth(url);
    const left = await postmaster(dataDir);
    expect(await killed.stop('SIGKILL')).toBeNull();
    // The killed server's PostgreSQL is still running: the next start has to deal with it.
    await new Promise((r) => setTimeout(r, 500));
    expect(await postmaster(dataDir)).toEqual(left);

    const next = startServerProcess(env);
    await next.waitForHealth(url);
    const now = await postmaster(dataDir);
    expect(now!.pid).not.toBe(left!.pid);
    await expectModelKept();
    expect(await next.stop()).toBe(0);
    expect(await postmaster(dataDir)).toBeUndefined();
  });

  it('refuses a bad configuration with a message naming the variable', async () => {
    const proc = startServerProcess({ PORT: 'not-a-port', TAILOR_DATA_DIR: dataDir });
    expect(await proc.stop('SIGCONT')).toBe(2);
    expect(proc.output()).toMatch(/PORT: /);
  });

  async function expectModelKept() {
    const res = await fetch(`${url}/api/v2/ImageCategorization/Model/?modelId=${modelId}`, { headers: auth() });
    expect(res.status).toBe(200);
    expect((await res.json()).categories).toEqual([
      { name: 'cats', count: 0 },
      { name: 'dogs', count: 0 },
    ]);
  }
});

const port = (u: string) => new URL(u).port;
