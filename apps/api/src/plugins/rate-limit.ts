import rateLimit from '@fastify/rate-limit';
import { TooManyRequestsError } from '@tailor/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import IORedis from 'ioredis';
import { createHash } from 'node:crypto';
import { presentedKey } from './auth';

/** Only the API is limited: health checks, docs and the dashboard's files are not. */
const LIMITED = /^\/(v1|api\/v2)\//;

/**
 * Counted per API key as presented (its hash; an absent or malformed key counts against the client's address), so
 * a flood of wrong keys is limited too, before any of them costs a database lookup.
 */
function limitKey(request: FastifyRequest): string {
  const key = presentedKey(request);
  return key ? `key:${createHash('sha256').update(key).digest('hex').slice(0, 32)}` : `ip:${request.ip}`;
}

/**
 * Per-key request limit (TAILOR_RATE_LIMIT_PER_MINUTE): past it, 429 with Retry-After in the route's envelope. With
 * REDIS_URL the counts live in Redis, shared by every API process; else in this process. A Redis outage lets requests
 * through rather than failing them (the limit protects the service; it must not become its single point of failure).
 * Runs as a root onRequest hook, so before authentication.
 */
export async function registerRateLimit(app: FastifyInstance) {
  const perMinute = app.config.TAILOR_RATE_LIMIT_PER_MINUTE;
  if (perMinute <= 0) return;
  const redis = app.config.REDIS_URL
    ? new IORedis(app.config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 })
    : undefined;
  if (redis) {
    redis.on('error', (err) => app.log.warn({ err: err.message }, 'rate-limit store (Redis) error'));
    app.addHook('onClose', async () => void (await redis.quit().catch(() => redis.disconnect())));
  }
  await app.register(rateLimit, {
    global: false,
    ...(redis ? { redis, nameSpace: `${app.config.TAILOR_QUEUE_PREFIX}:rate-limit:` } : {}),
    skipOnError: true,
  });
  const limit = app.rateLimit({
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: limitKey,
    errorResponseBuilder: (_request, ctx) =>
      new TooManyRequestsError(`Rate limit exceeded: ${ctx.max} requests per minute per API key; retry in ${ctx.after}`, Math.ceil(ctx.ttl / 1000)),
  });
  app.addHook('onRequest', async (request, reply) => {
    if (LIMITED.test(request.url)) await limit.call(app, request, reply);
  });
}
