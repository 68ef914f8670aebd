/** Every failure the SDK raises is one of these, so callers (and the CLI's exit codes) can tell them apart. */
export class TailorError extends Error {
  override name = 'TailorError';
}

/** The server answered with an error status: the RFC 9457 problem (native API) or NanoNets envelope (v2) it sent. */
export class TailorApiError extends TailorError {
  override name = 'TailorApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** The server answered 2xx but the body does not match the contract: a version mismatch or a proxy in the way. */
export class TailorResponseError extends TailorError {
  override name = 'TailorResponseError';
  constructor(message: string, readonly body: unknown) {
    super(message);
  }
}

/** The server could not be reached at all (refused, DNS, TLS, timeout). */
export class TailorConnectionError extends TailorError {
  override name = 'TailorConnectionError';
  constructor(readonly url: string, cause: unknown) {
    super(`cannot reach ${url}: ${describe(cause)}`);
  }
}

/** undici hides the useful part (ECONNREFUSED, ENOTFOUND, "bad port") in `cause`. */
function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  if (e?.name === 'TimeoutError') return 'request timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
