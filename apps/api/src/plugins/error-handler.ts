import { AppError, RetryableError, unavailableError } from '@tailor/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { STATUS_CODES } from 'node:http';

interface Rendered {
  status: number;
  code: string;
  message: string;
  details: Array<{ reason: string; message: string; field?: string }>;
  /** Seconds, sent as Retry-After (429, 503). */
  retryAfter?: number;
}

/** Maps any thrown error to status + public details. Internal errors never expose their message. */
function classify(error: unknown): Rendered {
  // A store away for a while (restarting, unreachable, full) is a 503 the client can retry, not a 500.
  const unavailable = unavailableError(error);
  if (unavailable) return classify(unavailable);
  if (error instanceof AppError) {
    const retryAfter = error instanceof RetryableError ? error.retryAfterSeconds : undefined;
    return { status: error.status, code: error.code, message: error.message, details: error.details, retryAfter };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    return {
      status: 400,
      code: 'bad_request',
      message: 'Request validation failed',
      details: error.validation.map((v) => ({
        reason: 'invalid',
        message: `${v.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'request'}: ${v.message}`,
        field: v.instancePath.replace(/^\//, '').replace(/\//g, '.') || undefined,
      })),
    };
  }
  const fe = error as FastifyError;
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: (fe.code ?? 'bad_request').toLowerCase(), message: fe.message, details: [] };
  }
  return { status: 500, code: 'internal', message: 'Internal server error', details: [] };
}

/**
 * One error handler for the whole API. The NanoNets routes answer in their envelope
 * (`{message, code, errors:[{reason, message}]}`); native routes answer RFC 9457 problem+json. Both carry the request id.
 */
export function registerErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error, request, reply) => {
    const r = classify(error);
    // A refusal Tailor decided on (busy, rate limited) is routine; a store that went away is worth its stack.
    if (error instanceof RetryableError) request.log.info({ status: r.status, code: r.code }, r.message);
    else if (r.status === 503) request.log.warn({ err: error }, r.message);
    else if (r.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status: r.status, code: r.code }, r.message);
    return send(request, reply, r);
  });
  app.setNotFoundHandler((request, reply) =>
    send(request, reply, { status: 404, code: 'not_found', message: `Route ${request.method} ${request.url.split('?')[0]} not found`, details: [] }),
  );
}

function send(request: FastifyRequest, reply: FastifyReply, r: Rendered) {
  const title = STATUS_CODES[r.status] ?? 'Error';
  if (r.status === 401) reply.header('www-authenticate', 'Basic realm="tailor"');
  if (r.retryAfter !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(r.retryAfter))));
  if (request.url.startsWith('/api/v2/')) {
    const errors = r.details.length ? r.details.map(({ reason, message }) => ({ reason, message })) : [{ reason: title, message: r.message }];
    return reply.status(r.status).send({ message: title, code: r.status, errors, request_id: request.id });
  }
  return reply
    .status(r.status)
    .type('application/problem+json')
    .send({
      type: `https://tailor.dev/problems/${r.code}`,
      title,
      status: r.status,
      detail: r.message,
      code: r.code,
      ...(r.details.length ? { errors: r.details } : {}),
      requestId: request.id,
    });
}
