import { argMaxRow } from '../evaluation/metrics';
import { applyTemperature } from './calibration';
import type { CalibrationFit } from './calibrate-out-of-fold';
import { precisionThresholds } from './precision-thresholds';

export interface NotSureFit {
  targetPrecision: number;
  /** Per class (the predicted one): the least calibrated probability of a sure prediction; above 1 = never sure. */
  thresholds: number[];
  /**
   * Measured with the thresholds and the temperature chosen on the other folds: the share of images predicted sure,
   * the precision of the sure predictions, and the accuracy of the rest.
   */
  measured: { coverage: number; precision: number | null; uncertainAccuracy: number | null; perClass: Array<{ coverage: number; precision: number | null }> };
}

/**
 * Chooses the "not sure" thresholds on out-of-fold predictions, calibrated as prediction will calibrate them, and
 * measures them honestly: for each fold, temperature and thresholds come from the other folds only.
 */
export function fitNotSure(probs: Float32Array, labels: Int32Array, c: number, folds: Int32Array, k: number, calibration: CalibrationFit, targetPrecision: number): NotSureFit {
  const n = labels.length;
  const sure = new Uint8Array(n);
  for (let f = 0; f < k; f++) {
    const scaled = applyTemperature(probs, c, calibration.foldTemperatures[f]);
    const inner: number[] = [];
    for (let i = 0; i < n; i++) if (folds[i] !== f) inner.push(i);
    const t = precisionThresholds(scaled, labels, c, targetPrecision, inner);
    for (let i = 0; i < n; i++) if (folds[i] === f) sure[i] = scaled[i * c + argMaxRow(scaled, i, c)] >= t[argMaxRow(scaled, i, c)] ? 1 : 0;
  }
  const count = { sure: 0, sureHit: 0, unsure: 0, unsureHit: 0 };
  const perClass = Array.from({ length: c }, () => ({ predicted: 0, sure: 0, sureHit: 0 }));
  for (let i = 0; i < n; i++) {
    const k2 = argMaxRow(probs, i, c);
    const hit = k2 === labels[i];
    perClass[k2].predicted++;
    if (sure[i]) {
      count.sure++;
      perClass[k2].sure++;
      if (hit) {
        count.sureHit++;
        perClass[k2].sureHit++;
      }
    } else {
      count.unsure++;
      if (hit) count.unsureHit++;
    }
  }
  return {
    targetPrecision,
    thresholds: precisionThresholds(applyTemperature(probs, c, calibration.temperature), labels, c, targetPrecision),
    measured: {
      coverage: count.sure / Math.max(n, 1),
      precision: count.sure ? count.sureHit / count.sure : null,
      uncertainAccuracy: count.unsure ? count.unsureHit / count.unsure : null,
      perClass: perClass.map((p) => ({ coverage: p.predicted ? p.sure / p.predicted : 0, precision: p.sure ? p.sureHit / p.sure : null })),
    },
  };
}
