export {
  attemptTimeoutMs,
  backoffDelay,
  defineJobCatalog,
  jobCatalog,
  type DefaultJobCatalog,
  type JobCatalog,
  type JobData,
  type JobDefinition,
  type JobName,
  type JobPayload,
} from './catalog';
export { InvalidJobPayloadError, JobTimeoutError, RunnerClosedError, UnrecoverableJobError } from './errors';
export type { EnqueueOptions, JobContext, JobHandler, JobLogger, JobRunner, RunnerOptions } from './job-runner';
export { MAX_PRIORITY } from './job-runner';
export { createInProcessRunner, type InProcessRunnerOptions } from './in-process-runner';
export { createBullMqRunner, type BullMqRunnerOptions } from './bullmq-runner';
export { consoleJobLogger } from './console-logger';
