import { spawn, spawnSync } from 'node:child_process';
import { chmod, chown, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../../test/support/server-process';
import { startEmbeddedPostgres } from '../src';
import { packagedDistribution, runnableBinaries } from '../src/embedded/postgres-binaries';
import { initCluster, startPostmaster } from '../src/embedded/postgres-processes';
import { serverAccount } from '../src/embedded/server-account';

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const withPassword = (url: string, password: string) => {
  const u = new URL(url);
  u.password = password;
  return u.toString();
};

/** Real PostgreSQL processes from the npm package's binaries, in fresh folders (run as root on CI, as in the issue). */
describe('embedded PostgreSQL', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'tailor-embedded-pg-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('gives each installation its own superuser password, in a file only its owner can read', async () => {
    const dataDir = path.join(root, 'fresh');
    const handle = await startEmbeddedPostgres(dataDir, await freePort());
    try {
      const secret = (await readFile(path.join(dataDir, 'postgres-password'), 'utf8')).trim();
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      expect((await stat(path.join(dataDir, 'postgres-password'))).mode & 0o777).toBe(0o600);
      expect(new URL(handle.url).password).toBe(secret);
      expect(await query(handle.url, 'SELECT current_user AS u')).toEqual([{ u: 'tailor' }]);
      await expect(query(withPassword(handle.url, 'tailor'), 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    } finally {
      await handle.stop();
    }
  });

  it("migrates an installation made with the old shared password 'tailor': accepted once, then replaced", async () => {
    const dataDir = path.join(root, 'legacy');
    await mkdir(dataDir);
    await chmod(root, 0o755); // the old code needed the postgres user to reach the data dir by its path
    const port = await freePort();
    const made = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'legacy-cluster.mjs'), dataDir, String(port)], { encoding: 'utf8' });
    expect({ status: made.status, stderr: made.stderr }).toEqual({ status: 0, stderr: '' });

    const handle = await startEmbeddedPostgres(dataDir, port);
    try {
      expect(await query(handle.url, 'SELECT v FROM kept')).toEqual([{ v: 'made before the upgrade' }]);
      await expect(query(withPassword(handle.url, 'tailor'), 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
    } finally {
      await handle.stop();
    }
    const again = await startEmbeddedPostgres(dataDir, port);
    try {
      expect(await query(again.url, 'SELECT v FROM kept')).toEqual([{ v: 'made before the upgrade' }]);
    } finally {
      await again.stop();
    }
  }, 120_000);

  it("refuses a data dir whose postmaster another live Tailor process runs, or shares it when asked (the admin CLI's case)", async () => {
    const dataDir = path.join(root, 'shared');
    const handle = await startEmbeddedPostgres(dataDir, await freePort());
    try {
      await expect(startEmbeddedPostgres(dataDir, await freePort())).rejects.toThrow(/in use by another running Tailor/);
      const shared = await startEmbeddedPostgres(dataDir, await freePort(), { reuseRunning: true });
      expect(shared.url).toBe(handle.url);
      await shared.stop(); // not its postmaster: it keeps running
      expect(await query(handle.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await handle.stop();
    }
  });

  it('starts past a stale postmaster.pid whose pid now belongs to an unrelated process', async () => {
    const dataDir = path.join(root, 'stale');
    const handle = await startEmbeddedPostgres(dataDir, await freePort());
    const lockFile = path.join(dataDir, 'postgres', 'postmaster.pid');
    const lock = await readFile(lockFile, 'utf8');
    await handle.stop();
    // An unrelated process of the same user as the postmaster: postgres alone would take it for a running postmaster.
    const account = await serverAccount();
    const unrelated = spawn('sleep', ['60'], { uid: account?.uid, gid: account?.gid, cwd: '/' });
    try {
      await writeFile(lockFile, lock.replace(/^\d+/, String(unrelated.pid)));
      const again = await startEmbeddedPostgres(dataDir, await freePort());
      await again.stop();
    } finally {
      unrelated.kill('SIGKILL');
    }
  });

  it('runs from binaries the postgres user cannot reach (a checkout in a 0700 home) and a cluster inside a 0700 folder', async () => {
    const account = await serverAccount();
    const privateHome = await mkdtemp(path.join(os.tmpdir(), 'tailor-private-home-'));
    await chmod(privateHome, 0o700);
    const packaged = await packagedDistribution();
    const distribution = { dir: path.join(privateHome, 'native'), version: `test-${process.pid}-${Date.now()}` };
    await cp(packaged.dir, distribution.dir, { recursive: true, verbatimSymlinks: true });
    const copyDir = path.join(os.tmpdir(), `tailor-postgres-${distribution.version}-${process.getuid!()}`);
    try {
      const binaries = await runnableBinaries(distribution, account);
      if (account) {
        // As root the binaries cannot run in place for the postgres user: they are copied where it can reach them.
        expect(binaries.postgres).toBe(path.join(copyDir, 'bin', 'postgres'));
        const copy = await stat(copyDir);
        expect({ uid: copy.uid, mode: copy.mode & 0o777 }).toEqual({ uid: 0, mode: 0o755 });
        expect(await runnableBinaries(distribution, account)).toEqual(binaries); // the copy is reused
      } else {
        expect(binaries.postgres).toBe(path.join(distribution.dir, 'bin', 'postgres')); // same user: used in place
      }
      const clusterDir = path.join(privateHome, 'data', 'postgres');
      await mkdir(clusterDir, { recursive: true, mode: 0o700 });
      if (account) await chown(clusterDir, account.uid, account.gid);
      const cluster = { dir: clusterDir, account, binaries };
      await initCluster(cluster, 'pw');
      const port = await freePort();
      const postmaster = await startPostmaster(cluster, port);
      try {
        expect(await query(`postgresql://tailor:pw@127.0.0.1:${port}/postgres`, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      } finally {
        await postmaster.stop();
      }
    } finally {
      await rm(privateHome, { recursive: true, force: true });
      await rm(copyDir, { recursive: true, force: true });
    }
  }, 120_000);
});
