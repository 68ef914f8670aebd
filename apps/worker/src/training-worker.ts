import type { Config } from '@tailor/config';
import { RunLifecycle, summarizeDataset } from '@tailor/core';
// The run's time budget and its hard limit (see packages/core/src/training/time-budget.ts).
import { budgetExceededMessage, hardLimitSeconds, runBudgetSeconds } from '@tailor/core';
import type { Db } from '@tailor/db';
import { jobCatalog, type JobRunner } from '@tailor/queue';
import { blobStoreConfig } from './blob-config';
import { ChildCrashedError, runTrainingChild, TimeLimitExceededError, TrainingAbortedError } from './run-child';
import { whileDatabaseAway } from './while-database-away';

export interface WorkerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Consumes `train` jobs: claims the run, trains in a child process, stores the artifacts under a prefix derived from
 * the run id (a retried job overwrites, never duplicates) and publishes exactly one version.
 */
export function registerTrainingWorker(deps: {
  config: Config;
  db: Db;
  jobs: JobRunner;
  logger: WorkerLogger;
  /** Called once a run has ended (succeeded or failed): notifications. */
  onRunEnded?: (runId: string) => Promise<void>;
}) {
  const { config, db, jobs, logger } = deps;
  const ended = (runId: string) =>
    deps.onRunEnded?.(runId).catch((err) => logger.error({ runId, err: (err as Error).message }, 'could not enqueue notifications'));
  const lifecycle = new RunLifecycle(db);
  // Writes of a run's state wait out a database restart (up to two minutes) instead of failing the job.
  const stored = <T>(what: string, fn: () => Promise<T>) =>
    whileDatabaseAway(fn, { forMs: 120_000, onRetry: (err) => logger.warn({ err: err.message }, `database unavailable; retrying ${what}`) });
  jobs.process(
    'train',
    async ({ runId }, ctx) => {
      const claim = await stored('claim', () => lifecycle.claim(runId, jobCatalog.train.attempts));
      if (claim.outcome === 'ended') return logger.info({ runId, jobAttempt: ctx.attempt }, 'run already ended; skipping');
      if (claim.outcome === 'exhausted') {
        logger.error({ runId, err: claim.reason }, 'training failed');
        await ended(runId);
        return;
      }
      const { run, attempt } = claim;
      const log = { runId, attempt };
      const { labeled: images, unlabeled } = await stored('reading the run', () => lifecycle.trainingImages(run));
      const categories = await stored('reading the run', () => db.category.findMany({ where: { modelId: run.modelId }, orderBy: { position: 'asc' } }));
      const used = new Set(images.map((i) => i.category.name));
      const classes = categories.map((c) => c.name).filter((n) => used.has(n));
      const settings = (run.settings ?? {}) as Record<string, unknown>;
      // The budget bounds the whole run: the engine plans within it, and the process is cut at the hard limit.
      const budget = runBudgetSeconds(settings, config.TAILOR_TRAIN_TIME_BUDGET_S);
      const limitSeconds = hardLimitSeconds(budget, config.TAILOR_TRAIN_GRACE_S);
      const started = Date.now();
      logger.info({ ...log, modelId: run.modelId, images: images.length, unlabeled: unlabeled.length, classes: classes.length }, 'training started');
      try {
        const outcome = await runTrainingChild(
          {
            runId,
            blobConfig: blobStoreConfig(config),
            artifactPrefix: `models/${run.modelId}/runs/${runId}`,
            images: images.map((i) => ({ id: i.id, sha256: i.sha256, blobKey: i.blobKey, label: i.category.name, filename: i.filename })),
            unlabeled: unlabeled.map((i) => ({ id: i.id, sha256: i.sha256, blobKey: i.blobKey, filename: i.filename })),
            classes,
            seed: run.seed,
            settings,
            architecture: run.model.architecture,
            timeBudgetSeconds: budget,
            ...(config.TAILOR_TRAIN_THREADS ? { threads: config.TAILOR_TRAIN_THREADS } : {}),
            onnxProviders: config.TAILOR_ONNX_PROVIDERS.split(',') as Array<'cuda' | 'cpu'>,
            maxImagePixels: config.TAILOR_MAX_IMAGE_PIXELS,
            minImagesPerClass: config.TAILOR_MIN_IMAGES_PER_CLASS,
          },
          { onProgress: (p) => lifecycle.progress(runId, p), signal: ctx.signal, limitMs: limitSeconds * 1000, nice: config.TAILOR_TRAIN_NICE },
        );
        // What it trained on: the snapshot (labelled and unlabelled), less the images it had to skip; their hash says
        // which images trained it.
        const skipped = new Set(((outcome.metrics as { skippedImages?: Array<{ id: string }> }).skippedImages ?? []).map((s) => s.id));
        const trained = [...images.map((i) => ({ id: i.id, category: i.category.name, sha256: i.sha256 })), ...unlabeled.map((i) => ({ id: i.id, category: null, sha256: i.sha256 }))]
          .filter((i) => !skipped.has(i.id));
        const version = await stored('publishing', () => lifecycle.publish(runId, {
          artifactPrefix: `models/${run.modelId}/runs/${runId}`,
          artifacts: { files: outcome.files },
          metrics: outcome.metrics,
          backbone: outcome.backbone,
          architecture: outcome.architecture,
          classes,
          dataset: summarizeDataset(trained, classes),
        }));
        logger.info({ ...log, versionId: version.id, seconds: (Date.now() - started) / 1000 }, 'training finished');
        await ended(runId);
      } catch (err) {
        const message = err instanceof TimeLimitExceededError ? budgetExceededMessage(budget, limitSeconds) : (err as Error).message;
        if (err instanceof TrainingAbortedError && !(await stored('reading the run', () => lifecycle.isActive(runId)))) {
          return logger.info(log, 'run canceled');
        }
        const retryable = err instanceof ChildCrashedError || err instanceof TrainingAbortedError;
        // The run's own count, not the job's: it also counts attempts that ended with their process.
        if (retryable && attempt < jobCatalog.train.attempts) {
          logger.warn({ ...log, err: message }, 'training interrupted; will retry');
          await stored('requeueing', () => lifecycle.requeue(runId, message));
          throw err;
        }
        logger.error({ ...log, err: message }, 'training failed');
        if (await stored('failing the run', () => lifecycle.fail(runId, message))) await ended(runId);
      }
    },
    { concurrency: config.TAILOR_WORKER_CONCURRENCY },
  );
}
