import { z } from 'zod';

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  /** Validated on enqueue and again on consume. Evolve by adding optional fields only, so queued jobs still parse. */
  schema: S;
  /** Total tries, the first included. */
  attempts: number;
  /** Delay before the 2nd try; doubles for each try after (exponential, as BullMQ computes it). */
  backoffMs: number;
  /**
   * Per-attempt limit: the handler's signal is aborted and the attempt fails (and is retried if tries remain). A
   * function reads it from the job's own payload (a training run's limit follows its time budget).
   */
  timeoutMs?: number | PayloadFunction<z.output<S>>;
}

// Declared as a method so a catalog of specific payloads still fits the generic JobCatalog (method parameters are
// bivariant).
type PayloadFunction<T> = { fromPayload(payload: T): number }['fromPayload'];

export type JobCatalog = Record<string, JobDefinition>;

/** Checks the numbers once at start-up so a typo fails the boot, not the first job. */
export function defineJobCatalog<C extends JobCatalog>(catalog: C): C {
  for (const [name, def] of Object.entries(catalog)) {
    if (!Number.isInteger(def.attempts) || def.attempts < 1) throw new Error(`job "${name}": attempts must be an integer >= 1`);
    if (!(def.backoffMs >= 0)) throw new Error(`job "${name}": backoffMs must be >= 0`);
    if (typeof def.timeoutMs === 'number' && !(def.timeoutMs > 0)) throw new Error(`job "${name}": timeoutMs must be > 0`);
  }
  return catalog;
}

/** A train job queued without its own limit (before the limit followed the run's time budget). */
const TRAIN_FALLBACK_TIMEOUT_MS = 2 * 60 * 60 * 1000;

/**
 * Every job Tailor runs. Job ids are derived from domain ids (e.g. the run id), so enqueueing twice is a no-op.
 * `version` lets a consumer tell payload generations apart if a breaking change is ever unavoidable.
 */
export const jobCatalog = defineJobCatalog({
  /** Train a model for one training run (the run row in PostgreSQL holds everything else). */
  train: {
    schema: z.object({
      version: z.literal(1),
      runId: z.string().min(1),
      /** The attempt's limit, from the run's time budget (optional: jobs queued before it existed still parse). */
      timeoutMs: z.number().int().positive().optional(),
    }),
    attempts: 3,
    backoffMs: 2000,
    timeoutMs: (payload: { timeoutMs?: number }) => payload.timeoutMs ?? TRAIN_FALLBACK_TIMEOUT_MS,
  },
  /** Deliver one outbox event (webhook / e-mail). */
  notify: {
    schema: z.object({ version: z.literal(1), eventId: z.string().min(1) }),
    attempts: 5,
    backoffMs: 1000,
  },
});

export type DefaultJobCatalog = typeof jobCatalog;
export type JobName<C extends JobCatalog = DefaultJobCatalog> = Extract<keyof C, string>;
/** What a producer passes to enqueue (schema input). */
export type JobPayload<N extends JobName<C>, C extends JobCatalog = DefaultJobCatalog> = z.input<C[N]['schema']>;
/** What a handler receives (schema output, after parsing). */
export type JobData<N extends JobName<C>, C extends JobCatalog = DefaultJobCatalog> = z.output<C[N]['schema']>;

/** The attempt limit of one job, or undefined for none. */
export function attemptTimeoutMs(def: JobDefinition, payload: unknown): number | undefined {
  const t = typeof def.timeoutMs === 'function' ? def.timeoutMs(payload) : def.timeoutMs;
  return t !== undefined && t > 0 ? t : undefined;
}

/** Delay after the `failedAttempts`-th failure; the same formula BullMQ's 'exponential' backoff uses. */
export function backoffDelay(def: JobDefinition, failedAttempts: number): number {
  return Math.round(2 ** (failedAttempts - 1) * def.backoffMs);
}
