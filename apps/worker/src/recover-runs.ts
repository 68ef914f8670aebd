import type { Db } from '@tailor/db';
import type { JobRunner } from '@tailor/queue';

/**
 * Re-enqueues runs the record of truth says are queued or running. After a restart of the embedded mode (in-process
 * queue, lost with the process) this resumes them; with BullMQ the job usually still exists and the enqueue is a
 * no-op, because the job id is the run id.
 */
export async function recoverRuns(db: Db, jobs: JobRunner): Promise<number> {
  const runs = await db.trainingRun.findMany({ where: { status: { in: ['queued', 'running'] } }, orderBy: { queuedAt: 'asc' } });
  for (const run of runs) await jobs.enqueue('train', { version: 1, runId: run.id }, { jobId: run.id });
  return runs.length;
}
