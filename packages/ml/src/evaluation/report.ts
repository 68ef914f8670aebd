import type { EpochStats } from '../heads/types';
import type { TrustReport } from '../trust/fit-trust';
import type { ClassificationMetrics } from './metrics';
import type { SemiSupervisedReport } from '../semi/semi-step';

/**
 * What a training run reports. Metrics come from out-of-fold predictions on the uploaded training images (every image
 * scored by a model that did not see it). With 'nested-cross-validation' the choice of candidates and ensemble is
 * cross-validated too (chosen without the scored fold's labels), so the figures estimate accuracy on new images
 * honestly; `selectionScore` is the out-of-fold accuracy the choice maximised, which is optimistic by construction.
 * The curves are those of the final fit.
 */
export interface EvaluationReport extends ClassificationMetrics {
  classes: string[];
  method: 'cross-validation' | 'nested-cross-validation';
  folds: number;
  /** Out-of-fold accuracy of the chosen model on all images: what the selection maximised (not an estimate). */
  selectionScore?: number;
  /** Per-epoch loss/accuracy of the final fit (one list per member model; one member unless an ensemble won). */
  curves: Array<{ member: string; epochs: EpochStats[] }>;
  /**
   * Calibration before/after, the "not sure" thresholds and the OOD detector, each chosen and measured on the
   * out-of-fold predictions. `calibration` above then describes the calibrated probabilities (cross-fitted).
   */
  trust?: TrustReport;
  /** When the run was given unlabelled images: how many it used, how many the chosen members trained on with a pseudo-label. */
  semiSupervised?: SemiSupervisedReport;
}
