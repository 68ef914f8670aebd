import { TailorApiError, TailorConnectionError, TailorError, TailorResponseError } from '../errors';

/** What scripts can rely on. Documented in `tailor --help` and packages/client/README.md. */
export const EXIT = {
  OK: 0,
  /** The server refused the request or answered something that breaks the contract. */
  API_ERROR: 1,
  /** Bad command line or configuration (missing key or model id, unreadable folder, folder classes not in the model). */
  USAGE: 2,
  /** `train --wait`: the run ended failed or canceled. */
  TRAINING_FAILED: 3,
  /** The server could not be reached. */
  UNREACHABLE: 4,
  /** Done, but some items were rejected (upload: unreadable images; predict: images that could not be classified). */
  PARTIAL: 5,
  /** Interrupted with Ctrl-C (the shell convention, 128 + SIGINT). */
  INTERRUPTED: 130,
} as const;

/** A usage or configuration problem found by the CLI itself. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exits with a code after the message was printed. */
export class ExitError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof ExitError) return err.code;
  if (err instanceof UsageError) return EXIT.USAGE;
  if (err instanceof TailorConnectionError) return EXIT.UNREACHABLE;
  if (err instanceof TailorApiError || err instanceof TailorResponseError) return EXIT.API_ERROR;
  if (err instanceof TailorError) return EXIT.USAGE;
  if ((err as NodeJS.ErrnoException)?.code === 'ENOENT' || (err as NodeJS.ErrnoException)?.code === 'ENOTDIR') return EXIT.USAGE;
  return EXIT.API_ERROR;
}

/** One line for stderr: `tailor: <what> [HTTP 404 NOT_FOUND, request <id>]`. */
export function messageFor(err: unknown): string {
  if (err instanceof TailorApiError) {
    return `tailor: ${err.message} [HTTP ${err.status} ${err.code}${err.requestId ? `, request ${err.requestId}` : ''}]`;
  }
  return `tailor: ${(err as Error)?.message ?? String(err)}`;
}
