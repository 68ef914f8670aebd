import { calibrationOf } from '../evaluation/metrics';
import type { ReliabilityBin } from '../evaluation/metrics';
import { applyTemperature, fitTemperature, temperedLogLoss } from './calibration';

export interface Reliability {
  ece: number;
  logLoss: number;
  bins: ReliabilityBin[];
}

export interface CalibrationFit {
  /** 'temperature' when it lowered the cross-fitted (smoothed) cross-entropy, else 'none' (T = 1). */
  method: 'temperature' | 'none';
  /** What prediction applies: fitted on every out-of-fold prediction. */
  temperature: number;
  /** The out-of-fold predictions as they are. */
  before: Reliability;
  /**
   * Cross-fitted: each fold's predictions scaled by a temperature fitted on the other folds only, so the figure is
   * what calibration does to images its temperature never saw.
   */
  after: Reliability;
  /** The temperature each fold's images were scaled with in `after` (fitted without them). */
  foldTemperatures: number[];
  /** The cross-fitted calibrated probabilities behind `after`. */
  calibrated: Float32Array;
}

function reliability(probs: Float32Array, labels: Int32Array, c: number): Reliability {
  const { ece, bins } = calibrationOf(probs, labels, c);
  return { ece, bins, logLoss: temperedLogLoss(probs, labels, c, 1) };
}

/**
 * Calibrates out-of-fold probabilities by measurement: temperature scaling is kept only if its cross-fitted
 * cross-entropy beats leaving the probabilities alone (with a few hundred images a fitted parameter can hurt).
 */
export function calibrateOutOfFold(probs: Float32Array, labels: Int32Array, c: number, folds: Int32Array, k: number): CalibrationFit {
  const n = labels.length;
  const foldTemperatures: number[] = [];
  const calibrated = new Float32Array(probs.length);
  for (let f = 0; f < k; f++) {
    const inner: number[] = [];
    const held: number[] = [];
    for (let i = 0; i < n; i++) (folds[i] === f ? held : inner).push(i);
    const t = inner.length ? fitTemperature(probs, labels, c, inner) : 1;
    foldTemperatures.push(t);
    for (const i of held) calibrated.set(applyTemperature(probs.subarray(i * c, (i + 1) * c), c, t), i * c);
  }
  const before = reliability(probs, labels, c);
  const scaled = reliability(calibrated, labels, c);
  // Judged with the targets the temperature is fitted to (fitTemperature): plain log-loss never blames certainty on
  // images a model happened to get right.
  const smoothing = 1 / (n + 2);
  if (temperedLogLoss(calibrated, labels, c, 1, undefined, smoothing) < temperedLogLoss(probs, labels, c, 1, undefined, smoothing)) {
    return { method: 'temperature', temperature: fitTemperature(probs, labels, c), before, after: scaled, foldTemperatures, calibrated };
  }
  return { method: 'none', temperature: 1, before, after: before, foldTemperatures: foldTemperatures.map(() => 1), calibrated: Float32Array.from(probs) };
}
