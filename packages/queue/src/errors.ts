/**
 * Throw from a handler when retrying cannot help (bad input, a missing record): the job fails at once. Every other
 * error is retried with the catalog's backoff until its attempts are used up.
 */
export class UnrecoverableJobError extends Error {
  override readonly name: string = 'UnrecoverableJobError';
}

/** enqueue() was given a payload its job's schema rejects; nothing was enqueued. */
export class InvalidJobPayloadError extends Error {
  override readonly name = 'InvalidJobPayloadError';
  constructor(readonly job: string, readonly issues: string) {
    super(`invalid payload for job "${job}": ${issues}`);
  }
}

/** An attempt ran past its job's `timeoutMs`; its signal is aborted with this error and the attempt fails. */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
  constructor(readonly jobId: string, readonly timeoutMs: number) {
    super(`job ${jobId} timed out after ${timeoutMs} ms`);
  }
}

/** enqueue()/process() after close(). */
export class RunnerClosedError extends Error {
  override readonly name = 'RunnerClosedError';
  constructor() {
    super('job runner is closed');
  }
}
