import { BadRequestError, type UrlFetchLimits } from '@tailor/core';
import type { Config } from '@tailor/config';
import type { FastifyRequest } from 'fastify';
import { requestLease } from './inflight-bytes';

/** A request's URL downloads: per-URL and per-request byte caps, held within the process's in-flight budget. */
export function urlLimits(request: FastifyRequest): UrlFetchLimits {
  const config = request.server.config;
  return {
    timeoutMs: config.TAILOR_URL_FETCH_TIMEOUT_MS,
    maxBytes: config.TAILOR_MAX_UPLOAD_BYTES,
    allowPrivate: config.TAILOR_ALLOW_PRIVATE_URLS,
    totalBytes: config.TAILOR_MAX_URL_BYTES_PER_REQUEST,
    lease: requestLease(request),
  };
}

export function checkUrlCount(urls: string[], config: Config) {
  if (urls.length === 0) throw new BadRequestError('urls is required', [{ reason: 'urls', message: 'Pass one or more `urls` fields' }]);
  if (urls.length > config.TAILOR_MAX_URLS_PER_REQUEST) {
    throw new BadRequestError(`Too many URLs (limit ${config.TAILOR_MAX_URLS_PER_REQUEST} per request)`);
  }
}
