import { z } from 'zod';
import { attemptTimeoutMs, type JobDefinition } from './catalog';
import { JobTimeoutError, UnrecoverableJobError } from './errors';
import type { JobContext } from './job-runner';

type AnyHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

/**
 * One try of one job, identical for both runners: parse the stored payload (a payload that no longer parses can
 * never succeed, so it is unrecoverable), give the handler a signal that aborts on timeout or on `outer` (runner
 * shutdown), and settle when the handler does or the timeout fires, whichever is first.
 */
export async function runAttempt(
  def: JobDefinition,
  rawPayload: unknown,
  handler: AnyHandler,
  ids: { jobId: string; attempt: number },
  outer?: AbortSignal,
): Promise<void> {
  const parsed = def.schema.safeParse(rawPayload);
  if (!parsed.success) {
    throw new UnrecoverableJobError(`invalid payload for job ${ids.jobId}: ${z.prettifyError(parsed.error)}`);
  }
  const controller = new AbortController();
  const forward = () => controller.abort(outer?.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener('abort', forward, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    const work = Promise.resolve().then(() => handler(parsed.data, { ...ids, signal: controller.signal }));
    const timeoutMs = attemptTimeoutMs(def, parsed.data);
    if (timeoutMs === undefined) {
      await work;
      return;
    }
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new JobTimeoutError(ids.jobId, timeoutMs);
        controller.abort(err);
        reject(err);
      }, timeoutMs);
    });
    work.catch(() => undefined); // if the timeout wins, a later rejection of `work` is expected, not unhandled
    await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', forward);
  }
}
