import { argMaxRow } from '../evaluation/metrics';

/** A threshold no probability reaches: that class's predictions are never sure. */
export const NEVER_SURE = 2;

/**
 * How far below the lowest "sure" probability a threshold sits (at most; never past the next lower prediction). Why:
 * many predictions share the top calibrated probability (a saturated ensemble's cap), so a threshold placed exactly on
 * it would decide those images by their last bit — a batch of a different size, or an exported bundle whose
 * probabilities differ by 1e-7, would flip their "not sure" flag. 1e-3 is the TF.js bundle's probability tolerance.
 */
export const THRESHOLD_MARGIN = 1e-3;

/**
 * Per predicted class, (just below) the lowest top-class probability from which its predictions reach `target`
 * precision on `rows` (default all) of out-of-fold predictions: a prediction of class k is "sure" when its probability
 * is at least thresholds[k]. The threshold sits THRESHOLD_MARGIN below that probability, or half-way to the next lower
 * prediction of the class when that is closer, so it splits the out-of-fold predictions exactly as the probability
 * itself would. Precision is estimated with one success and one failure added ((hits + 1) / (n + 2)), so a handful of
 * lucky predictions never makes a class sure: 9 of 9 right gives 0.91, 4 of 4 only 0.83.
 */
export function precisionThresholds(probs: Float32Array, labels: ArrayLike<number>, c: number, target: number, rows?: readonly number[]): number[] {
  const byClass: Array<Array<{ p: number; hit: boolean }>> = Array.from({ length: c }, () => []);
  const n = rows ? rows.length : labels.length;
  for (let j = 0; j < n; j++) {
    const i = rows ? rows[j] : j;
    const k = argMaxRow(probs, i, c);
    byClass[k].push({ p: probs[i * c + k], hit: k === labels[i] });
  }
  return byClass.map((list) => {
    list.sort((a, b) => b.p - a.p);
    let hits = 0;
    let threshold = NEVER_SURE;
    for (let m = 0; m < list.length; m++) {
      hits += list[m].hit ? 1 : 0;
      // Only between distinct probabilities: a threshold cannot split tied predictions.
      if (m + 1 < list.length && list[m + 1].p === list[m].p) continue;
      if ((hits + 1) / (m + 1 + 2) >= target) {
        const below = m + 1 < list.length ? list[m + 1].p : 0;
        threshold = Math.max(list[m].p - THRESHOLD_MARGIN, (list[m].p + below) / 2);
      }
    }
    return threshold;
  });
}

/** Whether a prediction (its probabilities row) is below its class's threshold. */
export function isUncertain(row: ArrayLike<number>, thresholds: readonly number[]): boolean {
  let k = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[k]) k = j;
  return row[k] < thresholds[k];
}
