import type { DefaultJobCatalog, JobCatalog, JobData, JobName, JobPayload } from './catalog';

export interface JobContext {
  jobId: string;
  /** 1 for the first try. */
  attempt: number;
  /** Aborted when the attempt times out or the runner's close() deadline passes; long handlers must honour it. */
  signal: AbortSignal;
}

export type JobHandler<N extends JobName<C>, C extends JobCatalog = DefaultJobCatalog> = (
  payload: JobData<N, C>,
  ctx: JobContext,
) => Promise<void>;

/** pino-compatible; receives failed attempts (warn), failed jobs (error) and stalled jobs (warn). */
export interface JobLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface EnqueueOptions {
  jobId: string;
  /**
   * 1 (first) … 2,097,152; jobs of one priority start in arrival order, and jobs without one before any with one.
   * Training uses it to interleave accounts (a run's priority is its account's count of runs ahead of it).
   */
  priority?: number;
}

/** BullMQ's largest priority. */
export const MAX_PRIORITY = 2 ** 21;

export interface JobRunner<C extends JobCatalog = DefaultJobCatalog> {
  /**
   * Validates and enqueues. A jobId already known to the runner (queued, running, or finished and still retained)
   * makes this a no-op, so retried requests do not duplicate work.
   */
  enqueue<N extends JobName<C>>(name: N, payload: JobPayload<N, C>, opts: EnqueueOptions): Promise<void>;
  /** Starts consuming `name` (one handler per name per runner). Producers never call this, so they never consume. */
  process<N extends JobName<C>>(name: N, handler: JobHandler<N, C>, opts?: { concurrency?: number }): void;
  /**
   * 0-based place among jobs waiting to start, in the order they will start (priority, then arrival; next = 0);
   * undefined when not waiting (running, backing off, done, unknown).
   */
  position(name: JobName<C>, jobId: string): Promise<number | undefined>;
  /** Removes a job that has not started (waiting or backing off); false if unknown, running or finished. */
  cancel(name: JobName<C>, jobId: string): Promise<boolean>;
  /** Stops taking jobs, waits for running handlers up to the close deadline, then aborts their signals. */
  close(): Promise<void>;
}

export interface RunnerOptions<C extends JobCatalog> {
  catalog?: C;
  logger?: JobLogger;
  /** How long close() waits for running handlers before aborting their signals (default 30 s). */
  closeTimeoutMs?: number;
}
