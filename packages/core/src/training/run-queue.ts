import type { Db } from '@tailor/db';
import { MAX_PRIORITY, type JobRunner } from '@tailor/queue';
import { runBudgetSeconds, trainJobTimeoutMs } from './time-budget';

export interface RunQueuePolicy {
  /** The service's budget for runs that do not ask for one (TAILOR_TRAIN_TIME_BUDGET_S). */
  defaultBudgetSeconds: number;
  /** TAILOR_TRAIN_GRACE_S: see hardLimitSeconds. */
  graceSeconds: number;
}

/**
 * Enqueues a run's train job so accounts take turns: its priority is 1 + the number of runs of the same account that
 * were queued before it and have not ended (running or still queued). Every account's first waiting run goes before
 * any account's second, and so on; within one priority, arrival order. Both job runners order by it, so the embedded
 * in-process queue follows the same rule and the queue position a run shows is its place in that order. The job's
 * attempt limit follows the run's time budget. Used when a run is queued and when runs are re-enqueued on recovery.
 */
export async function enqueueRun(
  db: Db,
  jobs: JobRunner,
  run: { id: string; modelId: string; queuedAt: Date; settings: unknown },
  policy: RunQueuePolicy,
): Promise<void> {
  const model = await db.model.findUnique({ where: { id: run.modelId }, select: { accountId: true } });
  const ahead = model
    ? await db.trainingRun.count({
        where: { model: { accountId: model.accountId }, status: { in: ['queued', 'running'] }, queuedAt: { lt: run.queuedAt }, id: { not: run.id } },
      })
    : 0;
  const budget = runBudgetSeconds(run.settings, policy.defaultBudgetSeconds);
  await jobs.enqueue(
    'train',
    { version: 1, runId: run.id, timeoutMs: trainJobTimeoutMs(budget, policy.graceSeconds) },
    { jobId: run.id, priority: Math.min(MAX_PRIORITY, ahead + 1) },
  );
}
