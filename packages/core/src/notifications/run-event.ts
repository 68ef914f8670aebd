import type { Db } from '@tailor/db';

export type RunEventType = 'training.finished' | 'training.failed';

export interface RunEvent {
  event: RunEventType;
  modelId: string;
  modelName: string | null;
  runId: string;
  version: number | null;
  state: number;
  status: string;
  accuracy: number | null;
  macroF1: number | null;
  error: string | null;
  trainingSeconds: number | null;
  finishedAt: string | null;
}

/** The JSON a webhook receives and an e-mail summarises, built from the record of truth. */
export async function buildRunEvent(db: Db, runId: string): Promise<{ event: RunEvent; accountId: string }> {
  const run = await db.trainingRun.findUniqueOrThrow({ where: { id: runId }, include: { model: true, version: true } });
  const metrics = (run.metrics ?? {}) as { accuracy?: number; macroF1?: number };
  return {
    accountId: run.model.accountId,
    event: {
      event: run.status === 'succeeded' ? 'training.finished' : 'training.failed',
      modelId: run.modelId,
      modelName: run.model.name,
      runId,
      version: run.version?.number ?? null,
      state: run.model.state,
      status: run.model.status,
      accuracy: metrics.accuracy ?? null,
      macroF1: metrics.macroF1 ?? null,
      error: run.error,
      trainingSeconds: run.startedAt && run.finishedAt ? (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000 : null,
      finishedAt: run.finishedAt?.toISOString() ?? null,
    },
  };
}
