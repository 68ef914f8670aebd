import type { Standardizer } from './standardizer';

export type HeadKind = 'logistic' | 'mlp';

/** Hyper-parameters of a classification head on frozen features. */
export interface HeadConfig {
  kind: HeadKind;
  /** Hidden units (mlp only). */
  hidden: number;
  /** Dropout rate on the hidden layer (mlp only). */
  dropout: number;
  /** L2 penalty / weight decay on the weight matrices (not the biases). */
  l2: number;
  learningRate: number;
  /** Upper bound; early stopping usually ends sooner. */
  epochs: number;
  batchSize: number;
  /** Epochs without validation-loss improvement before stopping (0 = no early stopping, train all epochs). */
  patience: number;
  /** Fraction of the training images held out (stratified, by image) for early stopping and the curves. */
  validationFraction: number;
  labelSmoothing: number;
  /** 'balanced' weights each sample by n / (classes * count(class)), so rare classes are not ignored. */
  classWeights: 'balanced' | 'none';
}

export const DEFAULT_HEAD_CONFIG: HeadConfig = {
  kind: 'mlp',
  hidden: 256,
  dropout: 0.5,
  l2: 1e-4,
  learningRate: 1e-3,
  epochs: 60,
  batchSize: 128,
  patience: 8,
  validationFraction: 0.1,
  labelSmoothing: 0.1,
  classWeights: 'balanced',
};

export interface EpochStats {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  /** Absent when no validation split was used. */
  validationLoss?: number;
  validationAccuracy?: number;
}

export interface NamedWeight {
  shape: number[];
  values: Float32Array;
}

/** A trained head: plain arrays only (no live tensors), so it can be serialised and shared freely. */
export interface TrainedHead {
  config: HeadConfig;
  inputDim: number;
  numClasses: number;
  standardizer: Standardizer;
  /** 'W1','b1' (+ 'W2','b2' for the mlp). */
  weights: Record<string, NamedWeight>;
  history: EpochStats[];
  /** Epoch whose weights were kept (1-based). */
  bestEpoch: number;
}
