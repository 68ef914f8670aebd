/**
 * Temperature scaling of averaged class probabilities: p'_k ∝ p_k^(1/T), i.e. softmax(log p / T). One parameter,
 * fitted by log-loss on out-of-fold predictions: T > 1 softens an over-confident model, T < 1 sharpens an
 * under-confident one (an average of several heads is often under-confident). It never changes the arg-max, so
 * accuracy and the confusion matrix stay what they were.
 */
const EPS = 1e-7;
const LOG_T_RANGE: [number, number] = [Math.log(0.05), Math.log(20)];

export function applyTemperature(probs: Float32Array, c: number, temperature: number): Float32Array {
  if (temperature === 1) return Float32Array.from(probs);
  const out = new Float32Array(probs.length);
  const logit = new Float64Array(c);
  for (let i = 0; i < probs.length / c; i++) {
    let max = -Infinity;
    for (let k = 0; k < c; k++) {
      logit[k] = Math.log(Math.max(probs[i * c + k], EPS)) / temperature;
      if (logit[k] > max) max = logit[k];
    }
    let sum = 0;
    for (let k = 0; k < c; k++) sum += (logit[k] = Math.exp(logit[k] - max));
    for (let k = 0; k < c; k++) out[i * c + k] = logit[k] / sum;
  }
  return out;
}

/**
 * Mean cross-entropy after temperature scaling, over `rows` (default: all), against the true classes or, with
 * `smoothing` = e, against targets 1 - e on the true class and e / (c - 1) on each other one.
 */
export function temperedLogLoss(probs: Float32Array, labels: ArrayLike<number>, c: number, temperature: number, rows?: readonly number[], smoothing = 0): number {
  const n = rows ? rows.length : labels.length;
  const logit = new Float64Array(c);
  let total = 0;
  for (let j = 0; j < n; j++) {
    const i = rows ? rows[j] : j;
    let max = -Infinity;
    for (let k = 0; k < c; k++) max = Math.max(max, (logit[k] = Math.log(Math.max(probs[i * c + k], EPS)) / temperature));
    let sum = 0;
    for (let k = 0; k < c; k++) sum += Math.exp(logit[k] - max);
    const logZ = max + Math.log(sum);
    for (let k = 0; k < c; k++) {
      const target = k === labels[i] ? 1 - smoothing : smoothing / (c - 1);
      if (target > 0) total -= target * (logit[k] - logZ);
    }
  }
  return total / Math.max(n, 1);
}

/**
 * The temperature minimising cross-entropy on `rows`: golden-section search over log T in [0.05, 20] (convex in 1/T,
 * so unimodal in log T). The targets are Platt's: from n images one cannot be surer than (n + 1) / (n + 2), so the
 * true class gets that and the rest share 1 / (n + 2). Without it, images the model never gets wrong (a small,
 * easy dataset) drive T to its bound and every probability to 1.
 */
export function fitTemperature(probs: Float32Array, labels: ArrayLike<number>, c: number, rows?: readonly number[]): number {
  const n = rows ? rows.length : labels.length;
  const smoothing = 1 / (n + 2);
  const f = (logT: number) => temperedLogLoss(probs, labels, c, Math.exp(logT), rows, smoothing);
  const g = (Math.sqrt(5) - 1) / 2;
  let [a, b] = LOG_T_RANGE;
  let x1 = b - g * (b - a);
  let x2 = a + g * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let it = 0; it < 60 && b - a > 1e-4; it++) {
    if (f1 <= f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - g * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (b - a);
      f2 = f(x2);
    }
  }
  return Math.exp((a + b) / 2);
}
