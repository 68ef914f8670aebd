import { ByteBudget, PayloadTooLargeError, ServiceUnavailableError, type ByteLease } from '@tailor/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** Bytes of uploaded files and downloaded URLs this process holds for requests at once (TAILOR_MAX_INFLIGHT_UPLOAD_BYTES). */
    inflightBytes: ByteBudget;
  }
  interface FastifyRequest {
    byteLease?: ByteLease;
  }
}

/** How long a refused client should wait: uploads in flight finish within seconds. */
const RETRY_AFTER_S = 5;

/**
 * The process-wide cap on request bytes held in memory. Each request's lease is given back when its response has been
 * sent or the client went away.
 */
export function registerInflightBytes(app: FastifyInstance) {
  app.decorate('inflightBytes', new ByteBudget(app.config.TAILOR_MAX_INFLIGHT_UPLOAD_BYTES));
  const close = async (request: FastifyRequest) => request.byteLease?.close();
  app.addHook('onResponse', close);
  app.addHook('onRequestAbort', close);
}

export function requestLease(request: FastifyRequest): ByteLease {
  return (request.byteLease ??= request.server.inflightBytes.lease());
}

export function busy(): ServiceUnavailableError {
  return new ServiceUnavailableError('The server is holding as many uploaded bytes as it may at once; try again in a few seconds', RETRY_AFTER_S);
}

/**
 * Reserves a request body's declared size before it is read: refused at once (503) when the budget has no room now,
 * or 413 when the body could never fit. Returns false for a body without a declared length (chunked), whose bytes are
 * then reserved as they arrive (see reserveChunk).
 */
export function reserveDeclaredBody(request: FastifyRequest): boolean {
  const declared = Number(request.headers['content-length']);
  if (!(declared > 0)) return false;
  const budget = request.server.inflightBytes;
  if (declared > budget.capacity) {
    throw new PayloadTooLargeError(`The request body is ${declared} bytes; this server accepts at most ${budget.capacity} bytes of files per request`);
  }
  if (!requestLease(request).reserve(declared)) throw busy();
  return true;
}

export function reserveChunk(request: FastifyRequest, bytes: number): void {
  if (!requestLease(request).reserve(bytes)) {
    if (requestLease(request).bytes + bytes > request.server.inflightBytes.capacity) {
      throw new PayloadTooLargeError(`This server accepts at most ${request.server.inflightBytes.capacity} bytes of files per request`);
    }
    throw busy();
  }
}
