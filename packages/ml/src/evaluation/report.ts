import type { EpochStats } from '../heads/types';
import type { ClassificationMetrics } from './metrics';

/**
 * What a training run reports. Metrics come from out-of-fold cross-validation predictions on the uploaded training
 * images (every image scored by a model that did not see it), so they estimate accuracy on new images honestly
 * without needing a separate test upload. The curves are those of the final fit.
 */
export interface EvaluationReport extends ClassificationMetrics {
  classes: string[];
  method: 'cross-validation';
  folds: number;
  /** Per-epoch loss/accuracy of the final fit (one list per member model; one member unless an ensemble won). */
  curves: Array<{ member: string; epochs: EpochStats[] }>;
}
