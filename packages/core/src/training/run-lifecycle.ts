import type { Db, Prisma } from '@tailor/db';
import type { DatasetSummary } from '../datasets/dataset-manifest';
import { splitByLabel } from '../images/split-by-label';
import { ModelState, STATUS_TEXT } from '../models';
import { restoreModelAfterRun } from './training-service';

export interface ProgressUpdate {
  phase: string;
  fraction: number;
  epoch?: number;
  epochs?: number;
  candidate?: string;
  etaSeconds?: number;
  message?: string;
}

const RETRY_PREFIX = 'retrying after: ';

/** What `claim` did: started attempt `attempt` (1 for the first, counted across restarts), or why it did not. */
export type Claim =
  | { outcome: 'claimed'; run: Prisma.TrainingRunGetPayload<{ include: { model: true } }>; attempt: number }
  | { outcome: 'ended' }
  | { outcome: 'exhausted'; reason: string };

/**
 * The worker side of a run's life in PostgreSQL (the record of truth): claim, progress, publish, fail. Every write is
 * conditional on the run's status, so a canceled run or a retried job never moves a run backwards, and publishing is
 * idempotent (one version per run even if a killed worker's job is retried after the version was written).
 */
export class RunLifecycle {
  constructor(private readonly db: Db) {}

  /**
   * Starts an attempt at the run: marks it running and counts the attempt in the run's row, so the count survives the
   * process (an in-process queue restarts from attempt 1 after a crash, and a run that kills its process every time
   * would otherwise be retried for ever). A run that has used `maxAttempts` already is failed here instead, with a
   * message that says so. 'ended': canceled, finished by an earlier attempt, or claimed meanwhile by another worker.
   */
  async claim(runId: string, maxAttempts: number): Promise<Claim> {
    const run = await this.db.trainingRun.findUnique({ where: { id: runId }, include: { model: true } });
    if (!run || ['canceled', 'succeeded', 'failed'].includes(run.status)) return { outcome: 'ended' };
    if (run.attempts >= maxAttempts) {
      const last = run.message?.startsWith(RETRY_PREFIX) ? `; the last: ${run.message.slice(RETRY_PREFIX.length)}` : '';
      const reason =
        `Training stopped after ${run.attempts} attempts, each interrupted before it finished (its process crashed, was ` +
        `killed or shut down)${last}. Train again to start a new run.`;
      return (await this.fail(runId, reason)) ? { outcome: 'exhausted', reason } : { outcome: 'ended' };
    }
    const claimed = await this.db.$transaction(async (tx) => {
      // Conditional on the count read above: of two workers claiming at once, one wins.
      const res = await tx.trainingRun.updateMany({
        where: { id: runId, status: { in: ['queued', 'running'] }, attempts: run.attempts },
        data: { status: 'running', phase: 'loading', progress: 0, startedAt: new Date(), heartbeatAt: new Date(), attempts: { increment: 1 }, error: null },
      });
      if (res.count > 0) await tx.model.update({ where: { id: run.modelId }, data: { state: ModelState.Training, status: 'Training: loading 0%' } });
      return res.count > 0;
    });
    if (!claimed) return { outcome: 'ended' };
    return { outcome: 'claimed', run: { ...run, attempts: run.attempts + 1 }, attempt: run.attempts + 1 };
  }

  /**
   * The images a claimed run trains on: exactly its snapshot (taken when it was queued), less any deleted since, in
   * id order, split by their labels as they are now (an image labelled while the run queued trains as labelled). A run
   * queued before snapshots existed takes the model's images now and records them. The run's imageCount (labelled)
   * and unlabeledCount are corrected to what is returned, so they always state what the run trained on.
   */
  async trainingImages(run: { id: string; modelId: string; imageIds: string[]; imageCount: number; unlabeledCount?: number }) {
    const include = { category: { select: { name: true } } } as const;
    const images = await this.db.image.findMany({
      where: run.imageIds.length ? { modelId: run.modelId, id: { in: run.imageIds } } : { modelId: run.modelId },
      orderBy: { id: 'asc' },
      include,
    });
    const { labeled, unlabeled } = splitByLabel(images);
    if (labeled.length !== run.imageCount || unlabeled.length !== (run.unlabeledCount ?? 0) || run.imageIds.length !== images.length) {
      await this.db.trainingRun.updateMany({
        where: { id: run.id, status: 'running' },
        data: { imageCount: labeled.length, unlabeledCount: unlabeled.length, imageIds: images.map((i) => i.id) },
      });
    }
    return { labeled, unlabeled };
  }

  /** Records progress; false when the run is no longer running (canceled), so the worker stops. */
  async progress(runId: string, p: ProgressUpdate): Promise<boolean> {
    const res = await this.db.trainingRun.updateMany({
      where: { id: runId, status: 'running' },
      data: {
        phase: p.phase,
        progress: Math.max(0, Math.min(1, p.fraction)),
        epoch: p.epoch ?? null,
        epochs: p.epochs ?? null,
        candidate: p.candidate ?? null,
        etaSeconds: p.etaSeconds === undefined ? null : Math.round(p.etaSeconds),
        message: p.message ?? null,
        heartbeatAt: new Date(),
      },
    });
    return res.count > 0;
  }

  async isActive(runId: string): Promise<boolean> {
    const run = await this.db.trainingRun.findUnique({ where: { id: runId }, select: { status: true } });
    return run?.status === 'running' || run?.status === 'queued';
  }

  async publish(
    runId: string,
    v: {
      artifactPrefix: string;
      artifacts: object;
      metrics: object;
      backbone: string | null;
      architecture: string;
      classes: string[];
      /** The images it trained on, summarised: the manifest hash is recorded on the version, the counts in its metrics. */
      dataset?: DatasetSummary;
    },
  ) {
    return this.db.$transaction(async (tx) => {
      const existing = await tx.modelVersion.findUnique({ where: { runId } });
      if (existing) return existing;
      const run = await tx.trainingRun.findUniqueOrThrow({ where: { id: runId } });
      // Serialises version numbering per model.
      await tx.$queryRaw`SELECT id FROM models WHERE id = ${run.modelId}::uuid FOR UPDATE`;
      const last = await tx.modelVersion.findFirst({ where: { modelId: run.modelId }, orderBy: { number: 'desc' } });
      await tx.modelVersion.updateMany({ where: { modelId: run.modelId, active: true }, data: { active: false } });
      const version = await tx.modelVersion.create({
        data: {
          modelId: run.modelId,
          runId,
          number: (last?.number ?? 0) + 1,
          active: true,
          backbone: v.backbone,
          architecture: v.architecture,
          classes: v.classes,
          artifactPrefix: v.artifactPrefix,
          artifacts: v.artifacts,
          metrics: v.dataset ? { ...v.metrics, dataset: v.dataset } : v.metrics,
          settings: run.settings as object,
          seed: run.seed,
          datasetSha256: v.dataset?.sha256 ?? null,
        },
      });
      await tx.trainingRun.update({
        where: { id: runId },
        data: { status: 'succeeded', phase: 'done', progress: 1, etaSeconds: 0, finishedAt: new Date(), metrics: v.metrics },
      });
      await tx.model.update({ where: { id: run.modelId }, data: { state: ModelState.Hosted, status: STATUS_TEXT.hosted } });
      return version;
    });
  }

  /** Ends the run as failed with a reason a user can act on; the model falls back to its last version, if any. */
  async fail(runId: string, reason: string): Promise<boolean> {
    const res = await this.db.trainingRun.updateMany({
      where: { id: runId, status: { in: ['queued', 'running'] } },
      data: { status: 'failed', phase: 'done', error: reason.slice(0, 1000), finishedAt: new Date() },
    });
    if (res.count === 0) return false;
    const run = await this.db.trainingRun.findUniqueOrThrow({ where: { id: runId } });
    await restoreModelAfterRun(this.db, run.modelId, reason);
    return true;
  }

  /** A transient failure: the job will be retried, so the run goes back to queued. */
  async requeue(runId: string, reason: string) {
    await this.db.trainingRun.updateMany({
      where: { id: runId, status: 'running' },
      data: { status: 'queued', phase: 'queued', message: `${RETRY_PREFIX}${reason.slice(0, 500)}` },
    });
  }
}
