import type { v1 } from '@tailor/contracts';
import type { z } from 'zod';

interface VersionRow {
  id: string;
  number: number;
  active: boolean;
  runId: string;
  architecture: string;
  backbone: string | null;
  classes: string[];
  seed: number;
  settings: unknown;
  metrics: unknown;
  datasetSha256: string | null;
  createdAt: Date;
}

/** Public fields only: artifact locations stay internal. */
export function toVersionView(v: VersionRow, opts: { fullMetrics?: boolean } = {}): z.infer<typeof v1.versionView> {
  const metrics = (v.metrics ?? {}) as Record<string, unknown>;
  return {
    id: v.id,
    number: v.number,
    active: v.active,
    runId: v.runId,
    architecture: v.architecture,
    backbone: v.backbone,
    classes: v.classes,
    seed: v.seed,
    settings: (v.settings ?? {}) as Record<string, unknown>,
    metrics: opts.fullMetrics ? metrics : summarizeMetrics(metrics),
    datasetSha256: v.datasetSha256,
    createdAt: v.createdAt.toISOString(),
  };
}

/** The headline figures for listings; the full report (confusion matrix, curves…) is on the version itself. */
export function summarizeMetrics(m: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['accuracy', 'macroF1', 'count', 'method', 'folds']) if (k in m) out[k] = m[k];
  const calibration = m.calibration as { ece?: number } | undefined;
  if (calibration?.ece !== undefined) out.ece = calibration.ece;
  const chosen = m.chosen as { cvAccuracy?: number; members?: string[] } | undefined;
  if (chosen) out.chosen = chosen.members;
  const timings = m.timings as { totalSeconds?: number } | undefined;
  if (timings?.totalSeconds !== undefined) out.trainingSeconds = timings.totalSeconds;
  // A version trained without some of the uploads says so in listings too.
  const skipped = m.skippedImages as unknown[] | undefined;
  if (skipped?.length) out.skippedImages = skipped;
  return out;
}
