import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run (or deployment) shares, so tests never see each other's jobs. */
export function uniqueRedisPrefix(label = 'test'): string {
  return `tailor-${label}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Throws with a how-to when Redis is unreachable: tests that need Redis must fail loudly, not skip or hang.
 */
export async function assertRedisReachable(url = TEST_REDIS_URL): Promise<void> {
  const client = new IORedis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined); // the failure is reported by connect()/ping() below
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    throw new Error(
      `Redis is not reachable at ${url} (${(err as Error).message}). Start it, e.g. ` +
        '`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`, or set REDIS_URL.',
    );
  } finally {
    client.disconnect();
  }
}

/** Deletes every key under `prefix` (SCAN + UNLINK, never KEYS/FLUSHDB: other runs share the server). */
export async function deleteRedisPrefix(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  const client = new IORedis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined); // reported by the rejected command
  let deleted = 0;
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}
