import { AppError, ServiceUnavailableError } from './app-error';

/** Socket-level failures: the other side is down, restarting or unreachable. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);
/**
 * Prisma's "can't reach / connection closed / timed out / pool timeout" codes, and PostgreSQL's SQLSTATEs for a server
 * shutting down, starting up or out of connections (class 08 is connection exceptions).
 */
const DB_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', '57P01', '57P02', '57P03', '53300']);

interface ErrorLike {
  name?: string;
  code?: unknown;
  message?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  originalCode?: unknown;
}

/** The error and its causes (Prisma's driver adapter wraps the pg error; the AWS SDK wraps the socket error). */
function* chain(err: unknown): Generator<ErrorLike> {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === 'object' && !seen.has(e) && seen.size < 10) {
    seen.add(e);
    yield e as ErrorLike;
    const x = e as ErrorLike;
    e = x.cause ?? (x as { originalError?: unknown }).originalError;
  }
}

/** Which store an error comes from, judged by what is in its chain. */
function origin(links: ErrorLike[]): 'database' | 'blob store' | 'job queue' | 'a backing service' {
  if (links.some((l) => /^Prisma|DriverAdapter/.test(l.name ?? '') || /^P\d{4}$/.test(String(l.code ?? '')) || l.originalCode !== undefined)) return 'database';
  if (links.some((l) => l.$metadata !== undefined || /S3|BlobStore/i.test(l.name ?? ''))) return 'blob store';
  if (links.some((l) => /MaxRetriesPerRequest|ReplyError|Redis/i.test(`${l.name} ${l.message}`))) return 'job queue';
  return 'a backing service';
}

/**
 * A 503 for an error that says a store is away for a while (PostgreSQL restarting, the S3 server down, Redis
 * unreachable, the blob store's disk full), so clients retry instead of seeing a 500; undefined for anything else.
 * The message names the store, never the internals.
 */
export function unavailableError(err: unknown): ServiceUnavailableError | undefined {
  if (err instanceof AppError) return undefined;
  const links = [...chain(err)];
  const codes = links.flatMap((l) => [l.code, l.originalCode]).map((c) => String(c ?? ''));
  if (codes.includes('ENOSPC') || codes.includes('EDQUOT')) {
    return new ServiceUnavailableError('The blob store is full: nothing was stored. Try again later', 60);
  }
  const where = origin(links);
  // Some wrappers keep only the message (the AWS SDK's, around an error from another realm).
  const network = codes.some((c) => NETWORK_CODES.has(c)) || links.some((l) => [...NETWORK_CODES].some((c) => (l.message ?? '').includes(c)));
  const db = codes.some((c) => DB_CODES.has(c) || /^08/.test(c));
  const closed = links.some((l) =>
    /Connection terminated|connection is closed|Can't reach database server|Server has closed the connection|Timed out fetching a new connection|socket hang up|MaxRetriesPerRequest/i.test(
      `${l.name ?? ''} ${l.message ?? ''}`,
    ),
  );
  const s3Unavailable = links.some((l) => l.$metadata?.httpStatusCode === 503);
  if (!(network || db || closed || s3Unavailable)) return undefined;
  const what = where === 'a backing service' && db ? 'database' : where;
  return new ServiceUnavailableError(`The ${what === 'a backing service' ? 'service' : what} is unavailable for the moment; try again shortly`);
}
