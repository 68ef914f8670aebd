import { enqueueRun, type RunQueuePolicy } from '@tailor/core';
import type { Db } from '@tailor/db';
import type { JobRunner } from '@tailor/queue';

/**
 * Re-enqueues runs that PostgreSQL (the record of truth) says are unfinished. The job id is the run id, so this is a
 * no-op while the job still exists. It resumes runs after an embedded-mode restart (the in-process queue died with the
 * process) and after a Redis restart without persistence (queued jobs vanished). A running run is only re-enqueued
 * when its heartbeat is stale, so a run a live worker is training is never started twice.
 */
export async function recoverRuns(db: Db, jobs: JobRunner, policy: RunQueuePolicy, opts: { staleAfterMs: number } = { staleAfterMs: 0 }): Promise<number> {
  const staleBefore = new Date(Date.now() - opts.staleAfterMs);
  const runs = await db.trainingRun.findMany({
    where: {
      OR: [{ status: 'queued' }, { status: 'running', OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: staleBefore } }] }],
    },
    orderBy: { queuedAt: 'asc' },
  });
  // Oldest first, each with its account's turn (see enqueueRun), as when they were first queued.
  for (const run of runs) await enqueueRun(db, jobs, run, policy);
  return runs.length;
}

/** Runs `recoverRuns` periodically; returns a function that stops it. */
export function scheduleRecovery(
  db: Db,
  jobs: JobRunner,
  policy: RunQueuePolicy,
  everyMs: number,
  staleAfterMs: number,
  onError: (err: Error) => void,
): () => void {
  const timer = setInterval(() => void recoverRuns(db, jobs, policy, { staleAfterMs }).catch(onError), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
