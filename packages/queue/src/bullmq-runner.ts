import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { jobCatalog, type DefaultJobCatalog, type JobCatalog, type JobName, type JobPayload } from './catalog';
import { consoleJobLogger, errorFields } from './console-logger';
import { RunnerClosedError, UnrecoverableJobError } from './errors';
import type { EnqueueOptions, JobHandler, JobLogger, JobRunner, RunnerOptions } from './job-runner';
import { runAttempt } from './run-attempt';
import { assertValidJobId, assertValidPriority, jobDefinition, validatedPayload } from './validate';
import { waitIdle } from './wait-idle';

export interface BullMqRunnerOptions<C extends JobCatalog> extends RunnerOptions<C> {
  redisUrl: string;
  /** Redis key prefix; give each deployment (and each test run) its own. Default 'tailor'. */
  prefix?: string;
  /** Retention of finished jobs; their ids keep deduplicating enqueue() while retained. */
  removeOnComplete?: { age: number; count: number };
  removeOnFail?: { age: number; count: number };
  /**
   * Stalled-job detection (on by default, as BullMQ ships it): a worker holds a lock on each running job, renewed
   * every lockDurationMs/2. A job whose lock lapses (worker killed, event loop blocked) is put back in the queue by
   * another worker's check, which runs every stalledIntervalMs; after maxStalledCount stalls it fails instead.
   * Handlers must yield to the event loop more often than lockDurationMs or they will be seen as stalled.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxStalledCount?: number;
}

const ABORT_GRACE_MS = 2000;

/**
 * BullMQ behind the JobRunner interface: one BullMQ queue per job name. Constructing it opens nothing; enqueue()
 * lazily opens one shared producer connection and process() opens a Worker with its own connections, so the API
 * (which only enqueues) never consumes.
 */
class BullMqRunner<C extends JobCatalog> implements JobRunner<C> {
  private readonly catalog: JobCatalog;
  private readonly logger: JobLogger;
  private readonly prefix: string;
  private readonly closeTimeoutMs: number;
  private producerConnection?: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, { worker: Worker; connection: Redis }>();
  private readonly running = new Set<Promise<void>>();
  private closing?: Promise<void>;

  constructor(private readonly opts: BullMqRunnerOptions<C>) {
    this.catalog = opts.catalog ?? jobCatalog;
    this.logger = opts.logger ?? consoleJobLogger;
    this.prefix = opts.prefix ?? 'tailor';
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 30_000;
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      // A producer should fail a request rather than hang while Redis is away: default (finite) retries per request.
      this.producerConnection ??= new IORedis(this.opts.redisUrl, { lazyConnect: false });
      queue = new Queue(name, { connection: this.producerConnection, prefix: this.prefix });
      queue.on('error', (err) => this.logger.error({ job: name, ...errorFields(err) }, 'queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  async enqueue<N extends JobName<C>>(name: N, payload: JobPayload<N, C>, opts: EnqueueOptions): Promise<void> {
    if (this.closing) throw new RunnerClosedError();
    const def = jobDefinition(this.catalog, name);
    assertValidJobId(opts.jobId);
    assertValidPriority(opts.priority);
    const data = validatedPayload(name, def, payload);
    const jobOpts: JobsOptions = {
      jobId: opts.jobId, // BullMQ ignores an add() whose jobId exists: that is the dedupe
      ...(opts.priority ? { priority: opts.priority } : {}),
      attempts: def.attempts,
      backoff: { type: 'exponential', delay: def.backoffMs },
      removeOnComplete: this.opts.removeOnComplete ?? { age: 24 * 3600, count: 1000 },
      removeOnFail: this.opts.removeOnFail ?? { age: 7 * 24 * 3600, count: 5000 },
    };
    await this.queue(name).add(name, data, jobOpts);
  }

  process<N extends JobName<C>>(name: N, handler: JobHandler<N, C>, opts: { concurrency?: number } = {}): void {
    if (this.closing) throw new RunnerClosedError();
    const def = jobDefinition(this.catalog, name);
    if (this.workers.has(name)) throw new Error(`job "${name}" already has a handler`);
    // Workers block on Redis; BullMQ requires maxRetriesPerRequest: null so a blip does not kill the worker loop.
    const connection = new IORedis(this.opts.redisUrl, { maxRetriesPerRequest: null });
    const anyHandler = handler as unknown as (payload: unknown, ctx: Parameters<JobHandler<N, C>>[1]) => Promise<void>;
    // Three declared parameters: BullMQ passes an AbortSignal only to processors whose arity is >= 3.
    const processor = async (job: Job, _token: string | undefined, signal: AbortSignal | undefined): Promise<void> => {
      const run = runAttempt(def, job.data, anyHandler, { jobId: job.id!, attempt: job.attemptsMade + 1 }, signal).catch((err: unknown) => {
        if (err instanceof UnrecoverableJobError) throw new UnrecoverableError(err.message);
        throw err;
      });
      this.running.add(run);
      try {
        await run;
      } finally {
        this.running.delete(run);
      }
    };
    const worker = new Worker(name, processor, {
      connection,
      prefix: this.prefix,
      concurrency: opts.concurrency ?? 1,
      lockDuration: this.opts.lockDurationMs ?? 30_000,
      stalledInterval: this.opts.stalledIntervalMs ?? 30_000,
      maxStalledCount: this.opts.maxStalledCount ?? 1,
    });
    worker.on('failed', (job, err) => {
      const unrecoverable = err.name === 'UnrecoverableError';
      const final = !job || unrecoverable || job.attemptsMade >= (job.opts.attempts ?? 1);
      const fields = { job: name, jobId: job?.id, attempt: job?.attemptsMade, final, unrecoverable, ...errorFields(err) };
      if (final) this.logger.error(fields, 'job failed');
      else this.logger.warn(fields, 'job attempt failed, will retry');
    });
    worker.on('stalled', (jobId) => this.logger.warn({ job: name, jobId }, 'job stalled: its worker stopped renewing the lock; requeued'));
    worker.on('error', (err) => this.logger.error({ job: name, ...errorFields(err) }, 'worker error'));
    this.workers.set(name, { worker, connection });
  }

  async position(name: JobName<C>, jobId: string): Promise<number | undefined> {
    // The order workers take them in: the wait list (jobs without a priority) oldest first, then the prioritized set
    // (sorted by priority, then arrival). Two reads, so a job moving between them meanwhile may be counted off by one.
    const queue = this.queue(name);
    const ids = [...(await queue.getRanges(['wait'], 0, -1, true)), ...(await queue.getRanges(['prioritized'], 0, -1, true))];
    const index = ids.indexOf(jobId);
    return index < 0 ? undefined : index;
  }

  async cancel(name: JobName<C>, jobId: string): Promise<boolean> {
    const queue = this.queue(name);
    const state = await queue.getJobState(jobId);
    if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
    // remove() refuses (0) if a worker locked the job in the meantime, so a started job is never pulled away.
    return (await queue.remove(jobId)) === 1;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const workers = [...this.workers.values()];
      // Stop fetching, keep running what was fetched.
      await Promise.all(workers.map(({ worker }) => worker.pause(true).catch(() => undefined)));
      let idle = await waitIdle(this.running, this.closeTimeoutMs);
      if (!idle) {
        for (const { worker } of workers) worker.cancelAllJobs('job runner closing: deadline passed');
        idle = await waitIdle(this.running, ABORT_GRACE_MS);
      }
      // Forced when handlers are still running: their jobs keep a lapsing lock, so another worker's stalled check
      // requeues them — the same path that recovers the jobs of a killed worker.
      await Promise.all(workers.map(({ worker }) => worker.close(!idle).catch(() => undefined)));
      await Promise.all(workers.map(({ connection }) => connection.quit().catch(() => connection.disconnect())));
      await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
      await this.producerConnection?.quit().catch(() => this.producerConnection?.disconnect());
    })();
    return this.closing;
  }
}

export function createBullMqRunner<C extends JobCatalog = DefaultJobCatalog>(opts: BullMqRunnerOptions<C>): JobRunner<C> {
  return new BullMqRunner<C>(opts);
}
