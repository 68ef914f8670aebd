/**
 * A run's time budget and the limits derived from it. The engine plans its candidates so the whole run fits the
 * budget by a cost model; the worker still cuts the training process at a hard limit above it, for machines slower
 * than the model thinks (shared cores, a cold cache), and the train job's own limit sits above that.
 */

/** Claiming, listing the images, starting the process and publishing: what a job does outside the training process. */
const JOB_OVERHEAD_SECONDS = 300;

/** The budget a run's settings ask for, else the service's default. */
export function runBudgetSeconds(settings: unknown, defaultSeconds: number): number {
  const asked = (settings as { timeBudgetSeconds?: unknown } | null)?.timeBudgetSeconds;
  return typeof asked === 'number' && asked > 0 ? asked : defaultSeconds;
}

/** When the worker kills the training process: the budget plus the larger of the grace and half the budget. */
export function hardLimitSeconds(budgetSeconds: number, graceSeconds: number): number {
  return budgetSeconds + Math.max(graceSeconds, Math.ceil(budgetSeconds / 2));
}

/** The train job's attempt limit: a backstop above the hard limit, never the thing that stops a run in practice. */
export function trainJobTimeoutMs(budgetSeconds: number, graceSeconds: number): number {
  return (hardLimitSeconds(budgetSeconds, graceSeconds) + JOB_OVERHEAD_SECONDS) * 1000;
}

export function budgetExceededMessage(budgetSeconds: number, limitSeconds: number): string {
  return (
    `Training exceeded its time budget of ${budgetSeconds} s and was stopped at ${limitSeconds} s. ` +
    'Train again with a larger settings.timeBudgetSeconds, fewer images, or (for the tutorial CNNs) fewer epochs.'
  );
}
