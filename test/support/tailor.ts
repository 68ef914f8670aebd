import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@tailor/config';
import { startTailor, type Running } from '@tailor/server';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from './database';

export const TEST_KEY = 'tl_test_bootstrap_key_0123456789abcdef';

export interface TestTailor {
  running: Running;
  baseUrl: string;
  key: string;
  db: TestDatabase;
  dataDir: string;
  /** Authorization header value for a key (HTTP Basic, key as username, empty password — as NanoNets clients send). */
  auth(key?: string): string;
  stop(): Promise<void>;
}

/** Starts the real server on a free loopback port against a fresh database and a temp data dir. */
export async function startTestTailor(env: Record<string, string> = {}): Promise<TestTailor> {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tailor-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    TAILOR_DATA_DIR: dataDir,
    TAILOR_BOOTSTRAP_API_KEY: TEST_KEY,
    LOG_LEVEL: 'warn',
    TAILOR_BACKBONE_DIR: process.env.TAILOR_BACKBONE_DIR ?? '',
    ...env,
  });
  const running = await startTailor(config, { logger: pino({ level: 'warn' }) });
  return {
    running,
    baseUrl: running.url!,
    key: TEST_KEY,
    db,
    dataDir,
    auth: (key = TEST_KEY) => 'Basic ' + Buffer.from(`${key}:`).toString('base64'),
    stop: async () => {
      await running.stop();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
