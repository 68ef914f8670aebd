import type { v1 } from '@tailor/contracts';
import type { RunProgressView } from '@tailor/core';
import type { z } from 'zod';

/** A run row as the services return it: the progress fields plus its bookkeeping. */
interface RunRow extends RunProgressView {
  id: string;
  seed: number;
  imageCount: number;
  unlabeledCount?: number;
  attempts: number;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  version?: { id: string } | null;
  metrics?: unknown;
}

export function toRunView(run: RunRow): z.infer<typeof v1.runView> {
  const end = run.finishedAt ?? new Date();
  return {
    id: run.id,
    status: run.status as z.infer<typeof v1.runView>['status'],
    phase: run.phase,
    progress: run.progress,
    epoch: run.epoch,
    epochs: run.epochs,
    candidate: run.candidate,
    etaSeconds: run.etaSeconds,
    elapsedSeconds: run.startedAt ? Math.round((end.getTime() - run.startedAt.getTime()) / 100) / 10 : null,
    ...(run.queuePosition !== undefined ? { queuePosition: run.queuePosition } : {}),
    message: run.message,
    error: run.error,
    seed: run.seed,
    imageCount: run.imageCount,
    unlabeledCount: run.unlabeledCount ?? 0,
    attempts: run.attempts,
    queuedAt: run.queuedAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    versionId: run.version?.id ?? null,
    ...skippedImagesOf(run.metrics),
  };
}

/** A finished run's metrics name the images it left out; listed only when there are some. */
function skippedImagesOf(metrics: unknown): Pick<z.infer<typeof v1.runView>, 'skippedImages'> {
  const skipped = (metrics as { skippedImages?: z.infer<typeof v1.runView>['skippedImages'] } | null | undefined)?.skippedImages;
  return skipped?.length ? { skippedImages: skipped } : {};
}
