import { requireScope, UnauthorizedError, type Principal, type Scope } from '@tailor/core';
import type { FastifyRequest } from 'fastify';

/**
 * Reads the API key the way NanoNets clients send it — HTTP Basic with the key as the username and an empty
 * password — and also as `Authorization: Bearer <key>` for native clients.
 */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (/^basic$/i.test(scheme!)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? decoded : decoded.slice(0, colon) || decoded.slice(colon + 1);
  }
  if (/^bearer$/i.test(scheme!)) return value;
  return undefined;
}

/**
 * Authenticates before the body is parsed or validated (an `onRequest` hook of the v1 and v2 route groups): a
 * request without a valid key is answered 401 and learns nothing about the API's schemas from validation errors.
 */
export async function authenticate(request: FastifyRequest): Promise<void> {
  request.principal ??= await request.server.services.accounts.authenticate(presentedKey(request));
}

/** Authenticates the request (if the hook has not) and checks the scope; the principal is cached on the request. */
export async function authorize(request: FastifyRequest, scope: Scope): Promise<Principal> {
  request.principal ??= await request.server.services.accounts.authenticate(presentedKey(request));
  requireScope(request.principal, scope);
  return request.principal;
}

export { UnauthorizedError };
