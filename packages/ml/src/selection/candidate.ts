/** What the selection needs from a candidate: out-of-fold predictions for a given fold assignment. */
export interface SelectionCandidate {
  /** Unique, human-readable (shown in progress and reports). */
  name: string;
  /** Plain description of the recipe (feature set, head hyper-parameters, ...), for reports. */
  describe(): Record<string, unknown>;
  /**
   * Trains k models, model f on the images whose fold is not f, and returns the probabilities of each image from
   * the model that did not see it (images x classes, row-major). `onFold` is called after each fold so the search
   * can stop a candidate that would overrun the time budget (by throwing `BudgetExceeded`).
   */
  crossValidate(ctx: CrossValidationContext): Promise<Float32Array>;
  /**
   * Expected seconds of `crossValidate` with k folds, for candidates too costly to start blindly (a CNN fold costs as
   * much as dozens of head candidates); the search skips one that would not fit the remaining budget.
   */
  estimateSeconds?(k: number): number;
  /**
   * Cross-validated in another process, concurrently with the other candidates (started when the search starts,
   * awaited at its end, stopped like any other if it would overrun the budget).
   */
  alongside?: boolean;
}

export interface CrossValidationContext {
  folds: Int32Array;
  k: number;
  seed: number;
  signal?: AbortSignal;
  onFold?: (fold: number) => void;
}

/** Thrown from `onFold` to abandon a candidate that would not finish within the budget. */
export class BudgetExceeded extends Error {
  constructor(readonly candidate: string) {
    super(`candidate ${candidate} stopped: time budget exceeded`);
  }
}

/**
 * The k-fold loop every candidate shares: `fitPredict(train, held, fold)` trains on `train` and returns the
 * probabilities of `held` (held.length x numClasses); they are scattered into one out-of-fold matrix.
 */
export async function outOfFold(
  ctx: CrossValidationContext, n: number, numClasses: number,
  fitPredict: (train: number[], held: number[], fold: number) => Promise<Float32Array>,
): Promise<Float32Array> {
  const oof = new Float32Array(n * numClasses);
  for (let f = 0; f < ctx.k; f++) {
    const train: number[] = [];
    const held: number[] = [];
    for (let i = 0; i < n; i++) (ctx.folds[i] === f ? held : train).push(i);
    const p = await fitPredict(train, held, f);
    held.forEach((img, j) => oof.set(p.subarray(j * numClasses, (j + 1) * numClasses), img * numClasses));
    ctx.onFold?.(f);
  }
  return oof;
}
