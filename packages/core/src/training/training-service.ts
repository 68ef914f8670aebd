import { randomInt } from 'node:crypto';
import type { Db } from '@tailor/db';
import type { JobRunner } from '@tailor/queue';
import { BadRequestError, ConflictError, NotFoundError } from '../errors';
import { BUSY_STATES, isUuid, ModelState, STATUS_TEXT, type ModelService } from '../models';
import type { QuotaService } from '../quotas';
import { datasetProblems } from './dataset-check';
import { progressLine } from './progress-text';
import { enqueueRun, type RunQueuePolicy } from './run-queue';
import { runBudgetSeconds } from './time-budget';

export interface StartTrainingInput {
  seed?: number;
  settings?: Record<string, unknown>;
}

export interface TrainingServiceOptions extends RunQueuePolicy {
  minImagesPerClass: number;
  /** The largest timeBudgetSeconds a run may ask for (TAILOR_MAX_TRAIN_TIME_BUDGET_S). */
  maxBudgetSeconds: number;
  quotas?: QuotaService;
}

/** The API side of training: validates, records a queued run and enqueues it. Only workers consume. */
export class TrainingService {
  constructor(
    private readonly db: Db,
    private readonly jobs: JobRunner,
    private readonly models: ModelService,
    private readonly opts: TrainingServiceOptions,
  ) {}

  async start(accountId: string, modelId: string, input: StartTrainingInput = {}) {
    const model = await this.models.get(accountId, modelId);
    const budget = runBudgetSeconds({ ...(model.settings as object), ...(input.settings ?? {}) }, this.opts.defaultBudgetSeconds);
    if (budget > this.opts.maxBudgetSeconds) {
      const message = `settings.timeBudgetSeconds is ${budget}; this service allows at most ${this.opts.maxBudgetSeconds}`;
      throw new BadRequestError(message, [{ reason: 'invalid', message, field: 'settings.timeBudgetSeconds' }]);
    }
    if (BUSY_STATES.includes(model.state)) {
      throw new ConflictError('Model is already training', [
        { reason: 'Model is not ready', message: 'A training run is already queued or running; wait for it or cancel it' },
      ]);
    }
    const problems = datasetProblems(model.categories.map((c) => ({ name: c.name, count: c._count.images })), this.opts.minImagesPerClass);
    if (problems.length) throw new ConflictError('The dataset cannot be trained yet', problems);
    if (input.seed !== undefined && (!Number.isInteger(input.seed) || input.seed < 0 || input.seed > 2 ** 31 - 1)) {
      throw new BadRequestError('seed must be an integer between 0 and 2147483647');
    }
    const settings = { ...(model.settings as object), ...(input.settings ?? {}), architecture: model.architecture };
    // The conditional update makes two concurrent Train calls start one run: the loser sees no row change.
    const run = await this.db.$transaction(async (tx) => {
      // Under the account's lock: its run slots and training minutes (429 / 402), counted with this run's row.
      await this.opts.quotas?.assertCanQueueRun(tx, model.accountId, budget);
      const claimed = await tx.model.updateMany({
        where: { id: model.id, state: { notIn: BUSY_STATES } },
        data: { state: ModelState.Queued, status: STATUS_TEXT.queued },
      });
      if (claimed.count === 0) throw new ConflictError('Model is already training');
      // The run's image set is fixed now: its imageCount (labelled) and unlabeledCount are what it trains on, whatever
      // is uploaded meanwhile.
      const images = await tx.image.findMany({ where: { modelId: model.id }, select: { id: true, categoryId: true }, orderBy: { id: 'asc' } });
      const unlabeledCount = images.filter((i) => i.categoryId === null).length;
      return tx.trainingRun.create({
        data: { modelId: model.id, seed: input.seed ?? randomInt(0, 2 ** 31 - 1), settings, imageCount: images.length - unlabeledCount, unlabeledCount, imageIds: images.map((i) => i.id) },
      });
    });
    try {
      await enqueueRun(this.db, this.jobs, run, this.opts);
    } catch (err) {
      // Nothing may stay half-written: without a job the run would sit queued forever.
      await this.db.$transaction([
        this.db.trainingRun.update({ where: { id: run.id }, data: { status: 'failed', phase: 'done', error: 'could not be queued', finishedAt: new Date() } }),
        this.db.model.update({ where: { id: model.id }, data: { state: model.state, status: model.status } }),
      ]);
      throw err;
    }
    return run;
  }

  async listRuns(accountId: string, modelId: string) {
    const model = await this.models.get(accountId, modelId);
    return this.db.trainingRun.findMany({ where: { modelId: model.id }, orderBy: { queuedAt: 'desc' }, include: { version: { select: { id: true } } } });
  }

  async getRun(accountId: string, modelId: string, runId: string) {
    const model = await this.models.get(accountId, modelId);
    const run = isUuid(runId) ? await this.db.trainingRun.findFirst({ where: { id: runId, modelId: model.id }, include: { version: { select: { id: true } } } }) : null;
    if (!run) throw new NotFoundError('Training run', runId);
    return this.withQueuePosition(run);
  }

  async latestRun(modelId: string) {
    const run = await this.db.trainingRun.findFirst({ where: { modelId }, orderBy: { queuedAt: 'desc' } });
    return run ? this.withQueuePosition(run) : undefined;
  }

  async withQueuePosition<R extends { id: string; status: string }>(run: R): Promise<R & { queuePosition?: number }> {
    if (run.status !== 'queued' || !this.jobs.position) return run;
    return { ...run, queuePosition: await this.jobs.position('train', run.id) };
  }

  /** Cancels a queued or running run: the job is removed or the worker aborts it at its next progress report. */
  async cancel(accountId: string, modelId: string, runId: string) {
    const run = await this.getRun(accountId, modelId, runId);
    if (run.status !== 'queued' && run.status !== 'running') throw new ConflictError(`Run is ${run.status}; only queued or running runs can be canceled`);
    await this.db.trainingRun.updateMany({
      where: { id: run.id, status: { in: ['queued', 'running'] } },
      data: { status: 'canceled', phase: 'done', finishedAt: new Date(), message: 'canceled by user' },
    });
    await this.jobs.cancel?.('train', run.id);
    await restoreModelAfterRun(this.db, run.modelId);
    return this.getRun(accountId, modelId, runId);
  }

  /** The v2 status line for a model: progress while busy, else the stored status. */
  async statusLine(model: { id: string; state: number; status: string }): Promise<string> {
    if (!BUSY_STATES.includes(model.state)) return model.status;
    const run = await this.latestRun(model.id);
    return run ? progressLine(run) : model.status;
  }
}

/** After a run ends without a new version, the model goes back to hosted (if it has a version) or ready. */
export async function restoreModelAfterRun(db: Db, modelId: string, failure?: string) {
  const active = await db.modelVersion.findFirst({ where: { modelId, active: true } });
  if (failure && !active) {
    await db.model.update({ where: { id: modelId }, data: { state: ModelState.Error, status: `Training failed: ${failure}` } });
  } else if (active) {
    const status = failure ? `${STATUS_TEXT.hosted} (last training failed: ${failure})` : STATUS_TEXT.hosted;
    await db.model.update({ where: { id: modelId }, data: { state: ModelState.Hosted, status } });
  } else {
    await db.model.update({ where: { id: modelId }, data: { state: ModelState.ReadyToTrain, status: STATUS_TEXT.ready } });
  }
}
