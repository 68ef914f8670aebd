import { backoffDelay, jobCatalog, type DefaultJobCatalog, type JobCatalog, type JobDefinition, type JobName, type JobPayload } from './catalog';
import { consoleJobLogger, errorFields } from './console-logger';
import { RunnerClosedError, UnrecoverableJobError } from './errors';
import type { EnqueueOptions, JobHandler, JobLogger, JobRunner, RunnerOptions } from './job-runner';
import { runAttempt } from './run-attempt';
import { assertValidJobId, assertValidPriority, jobDefinition, validatedPayload } from './validate';
import { waitIdle } from './wait-idle';

export interface InProcessRunnerOptions<C extends JobCatalog> extends RunnerOptions<C> {
  /** Finished job ids remembered for dedupe, like BullMQ's removeOnComplete/removeOnFail counts. */
  retainCompleted?: number;
  retainFailed?: number;
}

type State = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

interface Job {
  id: string;
  data: unknown;
  state: State;
  failedAttempts: number;
  /** 0 = none: such jobs start before any with a priority, as in BullMQ. */
  priority: number;
  /** Arrival order within a priority (renewed when a retry re-enters the queue, as in BullMQ). */
  seq: number;
  timer?: NodeJS.Timeout;
}

interface Consumer {
  handler: (payload: unknown, ctx: Parameters<JobHandler<never, JobCatalog>>[1]) => Promise<void>;
  concurrency: number;
  active: number;
}

/** How long close() still waits after aborting signals, so handlers that honour them can unwind. */
const ABORT_GRACE_MS = 2000;

/**
 * The same semantics as the BullMQ runner with no Redis: for the embedded single-process setup and tests. Jobs live
 * in memory only, so a crash loses what was queued (the domain state in PostgreSQL is what lets work be re-enqueued).
 */
class InProcessRunner<C extends JobCatalog> implements JobRunner<C> {
  private readonly catalog: JobCatalog;
  private readonly logger: JobLogger;
  private readonly closeTimeoutMs: number;
  private readonly retain: Record<'completed' | 'failed', number>;
  private readonly jobs = new Map<string, Map<string, Job>>();
  private readonly waiting = new Map<string, Job[]>();
  private readonly finished: Record<'completed' | 'failed', Array<[string, string]>> = { completed: [], failed: [] };
  private readonly consumers = new Map<string, Consumer>();
  private readonly running = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private closing?: Promise<void>;
  private seq = 0;

  constructor(opts: InProcessRunnerOptions<C>) {
    this.catalog = opts.catalog ?? jobCatalog;
    this.logger = opts.logger ?? consoleJobLogger;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 30_000;
    this.retain = { completed: opts.retainCompleted ?? 1000, failed: opts.retainFailed ?? 5000 };
  }

  private jobsOf(name: string): Map<string, Job> {
    let m = this.jobs.get(name);
    if (!m) this.jobs.set(name, (m = new Map()));
    return m;
  }

  private queueOf(name: string): Job[] {
    let q = this.waiting.get(name);
    if (!q) this.waiting.set(name, (q = []));
    return q;
  }

  async enqueue<N extends JobName<C>>(name: N, payload: JobPayload<N, C>, opts: EnqueueOptions): Promise<void> {
    if (this.closing) throw new RunnerClosedError();
    const def = jobDefinition(this.catalog, name);
    assertValidJobId(opts.jobId);
    assertValidPriority(opts.priority);
    const data = validatedPayload(name, def, payload);
    const jobs = this.jobsOf(name);
    if (jobs.has(opts.jobId)) return;
    const job: Job = { id: opts.jobId, data, state: 'waiting', failedAttempts: 0, priority: opts.priority ?? 0, seq: 0 };
    jobs.set(job.id, job);
    this.wait(name, job);
    this.pump(name);
  }

  /** Puts a job in line: after every job of its priority or a higher one (a lower number), BullMQ's order. */
  private wait(name: string, job: Job): void {
    job.state = 'waiting';
    job.seq = ++this.seq;
    const queue = this.queueOf(name);
    const before = queue.findIndex((other) => other.priority > job.priority);
    if (before < 0) queue.push(job);
    else queue.splice(before, 0, job);
  }

  process<N extends JobName<C>>(name: N, handler: JobHandler<N, C>, opts: { concurrency?: number } = {}): void {
    if (this.closing) throw new RunnerClosedError();
    jobDefinition(this.catalog, name);
    if (this.consumers.has(name)) throw new Error(`job "${name}" already has a handler`);
    const concurrency = opts.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('concurrency must be an integer >= 1');
    this.consumers.set(name, { handler: handler as Consumer['handler'], concurrency, active: 0 });
    this.pump(name);
  }

  private pump(name: string): void {
    const consumer = this.consumers.get(name);
    if (!consumer || this.closing) return;
    const queue = this.queueOf(name);
    while (consumer.active < consumer.concurrency && queue.length > 0) {
      this.start(name, queue.shift()!, consumer);
    }
  }

  private start(name: string, job: Job, consumer: Consumer): void {
    const def = jobDefinition(this.catalog, name);
    job.state = 'active';
    consumer.active++;
    const attempt = job.failedAttempts + 1;
    const run: Promise<void> = runAttempt(def, job.data, consumer.handler, { jobId: job.id, attempt }, this.shutdown.signal)
      .then(
        () => this.finish(name, job, 'completed'),
        (err: unknown) => this.fail(name, def, job, attempt, err),
      )
      .finally(() => {
        consumer.active--;
        this.running.delete(run);
        this.pump(name);
      });
    this.running.add(run);
  }

  private fail(name: string, def: JobDefinition, job: Job, attempt: number, err: unknown): void {
    job.failedAttempts++;
    const unrecoverable = err instanceof UnrecoverableJobError;
    if (unrecoverable || job.failedAttempts >= def.attempts) {
      this.logger.error({ job: name, jobId: job.id, attempt, final: true, unrecoverable, ...errorFields(err) }, 'job failed');
      this.finish(name, job, 'failed');
      return;
    }
    const delayMs = backoffDelay(def, job.failedAttempts);
    this.logger.warn({ job: name, jobId: job.id, attempt, final: false, retryInMs: delayMs, ...errorFields(err) }, 'job attempt failed, will retry');
    job.state = 'delayed';
    job.timer = setTimeout(() => {
      job.timer = undefined;
      this.wait(name, job);
      this.pump(name);
    }, delayMs);
  }

  private finish(name: string, job: Job, state: 'completed' | 'failed'): void {
    job.state = state;
    job.data = undefined; // keep the id for dedupe, drop the payload
    const list = this.finished[state];
    list.push([name, job.id]);
    while (list.length > this.retain[state]) {
      const [oldName, oldId] = list.shift()!;
      const old = this.jobs.get(oldName)?.get(oldId);
      if (old && old.state === state) this.jobs.get(oldName)!.delete(oldId);
    }
  }

  async position(name: JobName<C>, jobId: string): Promise<number | undefined> {
    const index = this.queueOf(name).findIndex((j) => j.id === jobId);
    return index < 0 ? undefined : index;
  }

  async cancel(name: JobName<C>, jobId: string): Promise<boolean> {
    const job = this.jobs.get(name)?.get(jobId);
    if (!job) return false;
    if (job.state === 'waiting') {
      const queue = this.queueOf(name);
      queue.splice(queue.indexOf(job), 1);
    } else if (job.state === 'delayed') {
      clearTimeout(job.timer);
    } else {
      return false;
    }
    this.jobs.get(name)!.delete(jobId);
    return true;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // Jobs backing off or waiting stay unstarted; in memory they are simply dropped.
      for (const jobs of this.jobs.values()) for (const job of jobs.values()) clearTimeout(job.timer);
      if (await waitIdle(this.running, this.closeTimeoutMs)) return;
      this.shutdown.abort(new Error('job runner closing: deadline passed'));
      await waitIdle(this.running, ABORT_GRACE_MS);
    })();
    return this.closing;
  }
}

export function createInProcessRunner<C extends JobCatalog = DefaultJobCatalog>(opts: InProcessRunnerOptions<C> = {}): JobRunner<C> {
  return new InProcessRunner<C>(opts);
}

