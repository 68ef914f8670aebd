import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@tailor/db';
import { freePort } from './server-process';

/**
 * A PostgreSQL cluster of the test's own (the machine's shared one must not be restarted: other tests use it), on its
 * own port and data directory, that can be stopped and started again like a server restart.
 */
export async function startPrivatePostgres() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tailor-pg-'));
  const port = await freePort();
  let handle: EmbeddedPostgresHandle | undefined = await startEmbeddedPostgres(dir, port);
  const url = handle.url;
  return {
    url,
    stop: async () => {
      await handle?.stop();
      handle = undefined;
    },
    start: async () => {
      handle ??= await startEmbeddedPostgres(dir, port);
    },
    destroy: async () => {
      await handle?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
