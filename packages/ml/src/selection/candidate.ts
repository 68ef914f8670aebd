/** What the selection needs from a candidate: out-of-fold predictions for a given fold assignment. */
export interface SelectionCandidate {
  /** Unique, human-readable (shown in progress and reports). */
  name: string;
  /** Plain description of the recipe (feature set, head hyper-parameters, ...), for reports. */
  describe(): Record<string, unknown>;
  /**
   * Trains k models, model f on the images whose fold is not f, and returns the probabilities of each image from
   * the model that did not see it (images x classes, row-major). `onFold` is called after each fold (progress).
   */
  crossValidate(ctx: CrossValidationContext): Promise<Float32Array>;
  /**
   * Expected seconds of `crossValidate` with k folds on the reference machine (2 CPU cores), from a cost model, never
   * from the clock: the plan uses it to decide before the search which candidates fit the time budget.
   */
  estimateSeconds?(k: number): number;
  /** Prediction cost per image (e.g. MMAC); members sharing `group` (one backbone pass) pay it once. */
  predictCost?: { group: string; cost: number };
  /**
   * Its own number of folds (a fold assignment of its own, same seed), when a fold is too costly for the search's k.
   * Out-of-fold predictions from different fold assignments can still be averaged: each comes from a model that did
   * not see that image.
   */
  folds?: number;
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
