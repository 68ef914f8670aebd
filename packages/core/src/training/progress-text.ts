export interface RunProgressView {
  status: string;
  phase: string;
  progress: number;
  epoch: number | null;
  epochs: number | null;
  candidate: string | null;
  etaSeconds: number | null;
  message: string | null;
  error: string | null;
  queuePosition?: number;
}

/** The one-line status the v2 `status` field carries, so `watch` on a state script shows movement. */
export function progressLine(run: RunProgressView): string {
  if (run.status === 'queued') {
    return run.queuePosition !== undefined && run.queuePosition > 0
      ? `Queued for training (position ${run.queuePosition + 1} in queue)`
      : 'Queued for training';
  }
  if (run.status === 'failed') return `Training failed: ${run.error ?? 'unknown error'}`;
  if (run.status === 'canceled') return 'Training canceled';
  const pct = Math.round(run.progress * 100);
  const parts = [`Training: ${run.phase} ${pct}%`];
  if (run.candidate) parts.push(run.candidate);
  if (run.epoch != null && run.epochs) parts.push(`epoch ${run.epoch}/${run.epochs}`);
  if (run.etaSeconds != null) parts.push(`ETA ${formatDuration(run.etaSeconds)}`);
  return parts.join(', ');
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
