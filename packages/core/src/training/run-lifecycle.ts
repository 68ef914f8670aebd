import type { Db } from '@tailor/db';
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

/**
 * The worker side of a run's life in PostgreSQL (the record of truth): claim, progress, publish, fail. Every write is
 * conditional on the run's status, so a canceled run or a retried job never moves a run backwards, and publishing is
 * idempotent (one version per run even if a killed worker's job is retried after the version was written).
 */
export class RunLifecycle {
  constructor(private readonly db: Db) {}

  /** Marks the run running; undefined when it has already ended (canceled, or finished by an earlier attempt). */
  async claim(runId: string, attempt: number) {
    const run = await this.db.trainingRun.findUnique({ where: { id: runId }, include: { model: true } });
    if (!run || ['canceled', 'succeeded', 'failed'].includes(run.status)) return undefined;
    await this.db.$transaction([
      this.db.trainingRun.update({
        where: { id: runId },
        data: { status: 'running', phase: 'loading', progress: 0, startedAt: new Date(), heartbeatAt: new Date(), attempts: attempt, error: null },
      }),
      this.db.model.update({ where: { id: run.modelId }, data: { state: ModelState.Training, status: 'Training: loading 0%' } }),
    ]);
    return run;
  }

  /**
   * The images a claimed run trains on: exactly its snapshot (taken when it was queued), less any deleted since, in
   * id order. A run queued before snapshots existed takes the model's images now and records them. The run's
   * imageCount is corrected to what is returned, so it always states what the run trained on.
   */
  async trainingImages(run: { id: string; modelId: string; imageIds: string[]; imageCount: number }) {
    const include = { category: { select: { name: true } } } as const;
    const images = await this.db.image.findMany({
      where: run.imageIds.length ? { modelId: run.modelId, id: { in: run.imageIds } } : { modelId: run.modelId },
      orderBy: { id: 'asc' },
      include,
    });
    if (images.length !== run.imageCount || run.imageIds.length !== images.length) {
      await this.db.trainingRun.updateMany({
        where: { id: run.id, status: 'running' },
        data: { imageCount: images.length, imageIds: images.map((i) => i.id) },
      });
    }
    return images;
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
    v: { artifactPrefix: string; artifacts: object; metrics: object; backbone: string | null; architecture: string; classes: string[] },
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
          metrics: v.metrics,
          settings: run.settings as object,
          seed: run.seed,
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
      data: { status: 'queued', phase: 'queued', message: `retrying after: ${reason.slice(0, 500)}` },
    });
  }
}
