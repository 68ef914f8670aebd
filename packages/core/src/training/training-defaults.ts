// The settings module alone (plain values): the package's index would load TF.js into the API.
import { DEFAULT_TRAIN_SETTINGS } from '@tailor/ml/src/pipeline/settings';

/** What a run uses for a setting the model and the train call leave out. */
export interface TrainingDefaults {
  timeBudgetSeconds: number;
  folds: number;
  maxEnsemble: number;
  ensemble: string;
  /** Precision of the predictions not flagged uncertain. */
  targetPrecision: number;
  /** Epochs of the tutorial CNNs (cnn1/cnn3/cnn4); the engine's default in cnn-classifier.ts. */
  epochs: number;
}

/**
 * The defaults as the worker applies them: the time budget is the service's (TAILOR_TRAIN_TIME_BUDGET_S), the rest
 * the engine's. Read from the engine so a form explaining them cannot drift from what runs.
 */
export function trainingDefaults(service: { timeBudgetSeconds: number }): TrainingDefaults {
  return {
    timeBudgetSeconds: service.timeBudgetSeconds,
    folds: DEFAULT_TRAIN_SETTINGS.folds,
    maxEnsemble: DEFAULT_TRAIN_SETTINGS.maxEnsemble,
    ensemble: DEFAULT_TRAIN_SETTINGS.ensemble,
    targetPrecision: DEFAULT_TRAIN_SETTINGS.targetPrecision,
    epochs: 20,
  };
}
