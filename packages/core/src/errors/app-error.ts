/** One detail line of an error: what is wrong and, where useful, which input. */
export interface ErrorDetail {
  reason: string;
  message: string;
  field?: string;
}

/**
 * The root of every error a user may see. `status` is the HTTP status; `code` a stable machine-readable name.
 * The HTTP layer renders it in the NanoNets envelope on /api/v2 and as problem+json on /v1. Anything that is not an
 * AppError is an internal error and is rendered without its message.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(400, 'bad_request', message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'A valid API key is required') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}

/** Also used for another account's resources: existence is never revealed. The id is echoed, cut to a sane length. */
export class NotFoundError extends AppError {
  constructor(what: string, id?: string) {
    super(404, 'not_found', id ? `${what} ${id.length > 100 ? `${id.slice(0, 100)}…` : id} not found` : `${what} not found`);
  }
}

/** The resource is in the wrong state for the operation (NanoNets answers 409 for these). */
export class ConflictError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super(409, 'conflict', message, details);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(413, 'payload_too_large', message);
  }
}

/** The account has used up one of its quotas (the original service answered 402 for these). */
export class QuotaExceededError extends AppError {
  constructor(
    readonly quota: string,
    message: string,
  ) {
    super(402, 'quota_exceeded', message, [{ reason: 'Quota exhausted', message, field: quota }]);
  }
}

/**
 * A condition that passes by itself (a store restarting, the server's upload memory in use, a rate limit): the client
 * should try again after `retryAfterSeconds`, which the HTTP layer sends as Retry-After.
 */
export class RetryableError extends AppError {
  constructor(
    status: 429 | 503,
    code: string,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(status, code, message);
  }
}

export class ServiceUnavailableError extends RetryableError {
  constructor(message: string, retryAfterSeconds = 5) {
    super(503, 'service_unavailable', message, retryAfterSeconds);
  }
}

export class TooManyRequestsError extends RetryableError {
  constructor(message: string, retryAfterSeconds: number) {
    super(429, 'too_many_requests', message, retryAfterSeconds);
  }
}
