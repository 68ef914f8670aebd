import { createRng } from '../random';
import { calibrateOutOfFold } from './calibrate-out-of-fold';
import { applyTemperature, fitTemperature } from './calibration';

/** n images of c classes whose true probabilities are softmax(z) and whose reported ones are softmax(z / t). */
function synthetic(n: number, c: number, reportedT: number, seed: number) {
  const rng = createRng(seed);
  const labels = new Int32Array(n);
  const probs = new Float32Array(n * c);
  const folds = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: c }, () => 2.5 * rng.normal());
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    // The label drawn from the true probabilities.
    let u = rng.next() * s;
    let y = 0;
    while (y < c - 1 && (u -= e[y]) > 0) y++;
    labels[i] = y;
    const r = z.map((v) => Math.exp((v - m) / reportedT));
    const rs = r.reduce((a, b) => a + b, 0);
    r.forEach((v, k) => (probs[i * c + k] = v / rs));
    folds[i] = i % 5;
  }
  return { labels, probs, folds };
}

describe('temperature scaling', () => {
  it('keeps the arg-max and sums to one; T = 1 changes nothing', () => {
    const p = Float32Array.from([0.7, 0.2, 0.1, 0.1, 0.3, 0.6]);
    for (const t of [0.5, 2]) {
      const q = applyTemperature(p, 3, t);
      expect(q[0] + q[1] + q[2]).toBeCloseTo(1, 6);
      expect(q.indexOf(Math.max(q[0], q[1], q[2]))).toBe(0);
      expect(q[5]).toBe(Math.max(q[3], q[4], q[5]));
    }
    expect(applyTemperature(p, 3, 2)[0]).toBeLessThan(0.7);
    expect(applyTemperature(p, 3, 0.5)[0]).toBeGreaterThan(0.7);
    expect(Array.from(applyTemperature(p, 3, 1))).toEqual(Array.from(p));
  });

  it('recovers the temperature that over-confident probabilities were sharpened by', () => {
    // Reported probabilities are softmax(z / 0.5): the right correction is T = 2.
    const { labels, probs } = synthetic(4000, 5, 0.5, 1);
    expect(fitTemperature(probs, labels, 5)).toBeGreaterThan(1.7);
    expect(fitTemperature(probs, labels, 5)).toBeLessThan(2.3);
    const under = synthetic(4000, 5, 2, 2);
    expect(fitTemperature(under.probs, under.labels, 5)).toBeLessThan(0.6);
  });

  it('a model never wrong on few images is not made certain: targets smoothed as Platt did', () => {
    // 20 images, every one right at 0.8: the log-likelihood alone would push T to its bound and p to 1.
    const probs = Float32Array.from({ length: 40 }, (_, i) => (i % 2 === Math.floor(i / 2) % 2 ? 0.8 : 0.2));
    const labels = Int32Array.from({ length: 20 }, (_, i) => i % 2);
    const t = fitTemperature(probs, labels, 2);
    const p = applyTemperature(probs, 2, t);
    expect(t).toBeGreaterThan(0.05 * 1.01);
    expect(p[labels[0]]).toBeCloseTo(21 / 22, 2);
  });

  it('cross-fitted calibration lowers the ECE of over-confident predictions, and leaves calibrated ones alone', () => {
    const over = synthetic(3000, 5, 0.5, 3);
    const fit = calibrateOutOfFold(over.probs, over.labels, 5, over.folds, 5);
    expect(fit.method).toBe('temperature');
    expect(fit.before.ece).toBeGreaterThan(0.08);
    expect(fit.after.ece).toBeLessThan(0.03);
    expect(fit.after.logLoss).toBeLessThan(fit.before.logLoss);
    expect(fit.foldTemperatures).toHaveLength(5);
    // Each fold's images were scaled by a temperature fitted without them, so the folds' temperatures differ.
    expect(new Set(fit.foldTemperatures.map((t) => t.toFixed(6))).size).toBe(5);

    const calibrated = synthetic(3000, 5, 1, 4);
    const same = calibrateOutOfFold(calibrated.probs, calibrated.labels, 5, calibrated.folds, 5);
    expect(Math.abs(same.temperature - 1)).toBeLessThan(0.1);
    expect(same.after.ece).toBeLessThan(0.03);
  });
});
