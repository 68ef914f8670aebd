import type { TrainPhase, TrainProgress } from './types';

/** Where each phase sits in the overall progress fraction (rough shares of a default run's time). */
const PHASES: Record<TrainPhase, [number, number]> = {
  loading: [0, 0.03],
  embedding: [0.03, 0.25],
  searching: [0.25, 0.9],
  training: [0.9, 0.98],
  evaluating: [0.98, 1],
};

export type ReportProgress = (phase: TrainPhase, local: number, extra?: Omit<TrainProgress, 'phase' | 'fraction'>) => void;

/** Maps (phase, fraction of the phase) to the run's fraction, never moving backwards, with an ETA from the rate so far. */
export function progressReporter(onProgress: ((p: TrainProgress) => void) | undefined, startedAt = performance.now()): ReportProgress {
  let last = 0;
  return (phase, local, extra = {}) => {
    if (!onProgress) return;
    const [a, b] = PHASES[phase];
    const fraction = Math.max(last, a + (b - a) * Math.min(1, Math.max(0, local)));
    last = fraction;
    const elapsed = (performance.now() - startedAt) / 1000;
    onProgress({ phase, fraction, etaSeconds: fraction > 0.02 ? Math.round((elapsed / fraction) * (1 - fraction)) : undefined, ...extra });
  };
}
