import type { ReliabilityBin } from '../evaluation/metrics';
import type { ArtifactCalibration, ArtifactThresholds } from '../prediction/artifact';
import { calibrateOutOfFold } from './calibrate-out-of-fold';
import { chooseOodDetector, type OodChoice, type OodSpace } from './choose-ood';
import { describeOodMethod } from './ood-cross-validation';
import { fitNotSure } from './not-sure';
import { NEVER_SURE } from './precision-thresholds';

export interface TrustInput {
  /** Out-of-fold probabilities (images x classes): every image scored by a model that did not train on it. */
  probs: Float32Array;
  labels: Int32Array;
  classes: string[];
  folds: Int32Array;
  k: number;
  targetPrecision: number;
  oodSpaces: OodSpace[];
  oodPercentile: number;
}

/** What a version records about how far its predictions can be trusted (all measured on the training images). */
export interface TrustReport {
  calibration: {
    method: 'temperature' | 'none';
    temperature: number;
    measuredBy: 'cross-fitted';
    before: { ece: number; logLoss: number; bins: ReliabilityBin[] };
    after: { ece: number; logLoss: number; bins: ReliabilityBin[] };
  };
  notSure: {
    targetPrecision: number;
    /** Per class: the least calibrated probability of a sure prediction (null: never sure at this precision). */
    thresholds: Array<{ label: string; threshold: number | null }>;
    measuredBy: 'cross-fitted';
    coverage: number;
    precision: number | null;
    uncertainAccuracy: number | null;
  };
  ood: {
    featureSet: string;
    method: string;
    percentile: number;
    threshold: number;
    /** Mean over classes of the held-out-class AUROC (the choice of detector cross-validated over classes). */
    heldOutClassAuroc: number;
    perClass: Array<{ label: string; auroc: number | null }>;
    candidates: Array<{ space: string; method: string; auroc: number }>;
    meaning: string;
  };
}

export interface TrustFit {
  report: TrustReport;
  calibration: ArtifactCalibration;
  thresholds: ArtifactThresholds;
  ood: OodChoice;
  /** The out-of-fold probabilities calibrated with temperatures fitted on the other folds: what the report scores. */
  calibratedOof: Float32Array;
}

/** Calibration, "not sure" thresholds and the OOD detector, each chosen and measured on out-of-fold predictions. */
export function fitTrust(input: TrustInput): TrustFit {
  const { probs, labels, classes, folds, k } = input;
  const c = classes.length;
  const cal = calibrateOutOfFold(probs, labels, c, folds, k);
  const notSure = fitNotSure(probs, labels, c, folds, k, cal, input.targetPrecision);
  const ood = chooseOodDetector(input.oodSpaces, labels, c, folds, k, input.oodPercentile);
  return {
    calibration: { method: cal.method, temperature: cal.temperature },
    thresholds: { targetPrecision: input.targetPrecision, perClass: notSure.thresholds },
    ood,
    calibratedOof: cal.calibrated,
    report: {
      calibration: { method: cal.method, temperature: cal.temperature, measuredBy: 'cross-fitted', before: cal.before, after: cal.after },
      notSure: {
        targetPrecision: input.targetPrecision,
        thresholds: classes.map((label, j) => ({ label, threshold: notSure.thresholds[j] >= NEVER_SURE ? null : notSure.thresholds[j] })),
        measuredBy: 'cross-fitted',
        coverage: notSure.measured.coverage,
        precision: notSure.measured.precision,
        uncertainAccuracy: notSure.measured.uncertainAccuracy,
      },
      ood: {
        featureSet: ood.space,
        method: describeOodMethod(ood.spec),
        percentile: ood.percentile,
        threshold: ood.threshold,
        heldOutClassAuroc: ood.auroc,
        perClass: classes.map((label, j) => ({ label, auroc: ood.perClass[j] })),
        candidates: ood.candidates,
        meaning:
          'AUROC of telling a class the detector never saw from the known classes: each class in turn is left out of the ' +
          'training images (and of the detector), the other classes of the same folds stand for known images. 0.5 = ' +
          'no signal, 1 = perfect. A near stranger (a garment type the model was not trained on) is the hard case; ' +
          `unrelated images (photos for a garment model) score higher. The threshold flags about ${(100 - ood.percentile).toFixed(0)}% of new known images.`,
      },
    },
  };
}
