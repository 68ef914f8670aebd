import { calibrateOutOfFold } from './calibrate-out-of-fold';
import { fitNotSure } from './not-sure';
import { isUncertain, NEVER_SURE, precisionThresholds, THRESHOLD_MARGIN } from './precision-thresholds';

/** Two-class out-of-fold predictions from [probability of class 0, true label] rows. */
function twoClassRows(rows: Array<[number, number]>) {
  const probs = new Float32Array(rows.length * 2);
  const labels = new Int32Array(rows.length);
  rows.forEach(([p0, y], i) => {
    probs[i * 2] = p0;
    probs[i * 2 + 1] = 1 - p0;
    labels[i] = y;
  });
  return { probs, labels };
}

describe('"not sure" thresholds', () => {
  it('per class, the lowest probability from which predictions reach the target precision (smoothed)', () => {
    // Class 0 predicted 12 times: right at 0.9..0.6 (10 times), wrong at 0.55 and 0.5. Class 1: right 3 times only.
    const rows: Array<[number, number]> = [];
    for (let i = 0; i < 10; i++) rows.push([0.9 - i * 0.03, 0]);
    rows.push([0.55, 1], [0.5, 1]);
    rows.push([0.2, 1], [0.25, 1], [0.3, 1]);
    const { probs, labels } = twoClassRows(rows);
    const t = precisionThresholds(probs, labels, 2, 0.9);
    // (10 + 1) / (10 + 2) = 0.917 >= 0.9 down to the 10th right one (0.63); adding the wrong ones drops below. The
    // threshold sits a margin below 0.63, so a prediction at exactly 0.63 (or 1e-7 under it) is sure.
    expect(t[0]).toBeCloseTo(0.9 - 9 * 0.03 - THRESHOLD_MARGIN, 5);
    expect(isUncertain([0.63 - 1e-7, 0.37 + 1e-7], t)).toBe(false);
    // Three right out of three: (3 + 1) / (3 + 2) = 0.8 < 0.9, never sure.
    expect(t[1]).toBe(NEVER_SURE);
    expect(isUncertain([0.7, 0.3], t)).toBe(false);
    expect(isUncertain([0.6, 0.4], t)).toBe(true);
    expect(isUncertain([0.1, 0.9], t)).toBe(true);
    // A lower target makes class 1 sure too.
    expect(precisionThresholds(probs, labels, 2, 0.75)[1]).toBeCloseTo(0.7 - THRESHOLD_MARGIN, 5);
  });

  it('places a threshold below a tied group of capped probabilities, never past the next lower prediction', () => {
    // Class 0: eight right predictions at the same capped probability, then wrong ones 2e-4 below it and at 0.5: the
    // threshold must leave the capped group sure by more than float noise and keep the wrong one 2e-4 below out.
    const cap = 0.9826041460037231;
    const rows: Array<[number, number]> = [...Array.from({ length: 8 }, () => [cap, 0] as [number, number]), [cap - 0.0002, 1], [0.5, 1], [0.5, 1]];
    const { probs, labels } = twoClassRows(rows);
    const [t0] = precisionThresholds(probs, labels, 2, 0.85);
    // 8 of 8 right: (8 + 1) / (8 + 2) = 0.9 >= 0.85; with the wrong one at cap - 2e-4: 9 / 11 = 0.82 < 0.85.
    expect(t0).toBeCloseTo(Math.fround(cap) - 0.0001, 6);
    expect(isUncertain([Math.fround(cap) - 1e-6, 1 - cap], [t0!, NEVER_SURE])).toBe(false);
    expect(isUncertain([Math.fround(cap) - 0.0002, 1 - cap], [t0!, NEVER_SURE])).toBe(true);
  });

  it('measured on folds it was not chosen on, the sure predictions meet the target while the rest are often wrong', () => {
    // 2 classes, 1,000 images: confidence carries the truth (right with probability = confidence).
    const n = 1000;
    const probs = new Float32Array(n * 2);
    const labels = new Int32Array(n);
    const folds = new Int32Array(n);
    let s = 12345;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < n; i++) {
      const conf = 0.5 + 0.5 * rnd();
      const predicted = i % 2;
      probs[i * 2 + predicted] = conf;
      probs[i * 2 + 1 - predicted] = 1 - conf;
      labels[i] = rnd() < conf ? predicted : 1 - predicted;
      folds[i] = i % 5;
    }
    const cal = calibrateOutOfFold(probs, labels, 2, folds, 5);
    const fit = fitNotSure(probs, labels, 2, folds, 5, cal, 0.9);
    expect(fit.measured.precision!).toBeGreaterThan(0.86);
    expect(fit.measured.coverage).toBeGreaterThan(0.2);
    expect(fit.measured.coverage).toBeLessThan(0.8);
    expect(fit.measured.uncertainAccuracy!).toBeLessThan(0.8);
    expect(fit.thresholds.every((t) => t > 0.7 && t < 1)).toBe(true);
  });
});
