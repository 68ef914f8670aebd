import { unavailableError } from '@tailor/core';

/**
 * Retries `fn` while its failure says a store is away for a while (PostgreSQL restarting, a connection cut), for up to
 * `forMs`; any other error, or one past the deadline, is thrown. The worker's writes of a run's state go through it:
 * a model trained for minutes is not thrown away, and a run is not left half-ended, because the database blinked.
 */
export async function whileDatabaseAway<T>(fn: () => Promise<T>, opts: { forMs: number; onRetry?: (err: Error) => void }): Promise<T> {
  const deadline = Date.now() + opts.forMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await fn();
    } catch (err) {
      if (!unavailableError(err) || Date.now() + delay > deadline) throw err;
      opts.onRetry?.(err as Error);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
