import type { Config } from '@tailor/config';
import { createDb, migrateDatabase, startEmbeddedPostgres, type Db } from '@tailor/db';
import { createBullMqRunner, createInProcessRunner, type JobLogger, type JobRunner } from '@tailor/queue';
import { createBlobStore, type BlobStore } from '@tailor/storage';
import { blobStoreConfig } from '@tailor/worker';

export interface Infra {
  config: Config;
  databaseUrl: string;
  db: Db;
  blobs: BlobStore;
  jobs: JobRunner;
  /** Closes in reverse order of opening. */
  close(): Promise<void>;
}

/**
 * Opens the stores for the configured mode. Embedded: PostgreSQL from the npm package under the data dir, blobs on
 * the filesystem, jobs in-process. Distributed: DATABASE_URL, REDIS_URL (BullMQ) and S3_* (or the filesystem).
 * Migrations are applied on every start (idempotent, under Prisma's advisory lock).
 */
export async function openInfrastructure(config: Config, logger: JobLogger): Promise<Infra> {
  const closers: Array<() => Promise<void>> = [];
  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres(config.dataDir, config.TAILOR_EMBEDDED_PG_PORT);
      closers.push(pg.stop);
      databaseUrl = pg.url;
    }
    await migrateDatabase(databaseUrl);
    const db = createDb(databaseUrl);
    closers.push(() => db.$disconnect());
    const blobs = createBlobStore(blobStoreConfig(config));
    closers.push(async () => blobs.close?.());
    const jobs = config.REDIS_URL
      ? createBullMqRunner({
          redisUrl: config.REDIS_URL,
          prefix: config.TAILOR_QUEUE_PREFIX,
          logger,
          lockDurationMs: config.TAILOR_JOB_LOCK_MS,
          stalledIntervalMs: config.TAILOR_JOB_STALLED_INTERVAL_MS,
          closeTimeoutMs: config.TAILOR_SHUTDOWN_GRACE_MS,
        })
      : createInProcessRunner({ logger, closeTimeoutMs: config.TAILOR_SHUTDOWN_GRACE_MS });
    closers.push(() => jobs.close());
    return {
      config,
      databaseUrl,
      db,
      blobs,
      jobs,
      close: async () => {
        for (const close of closers.reverse()) await close().catch(() => {});
      },
    };
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => {});
    throw err;
  }
}
