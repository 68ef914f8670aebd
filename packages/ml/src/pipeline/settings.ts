import { DEFAULT_HEAD_CONFIG, type HeadConfig } from '../heads/types';
import type { FeatureSetSpec, TrainSettings } from './types';

export const DEFAULT_BACKBONE = 'mobilenet_v2_1.0_224_quant';

/**
 * Defaults sized so that 1,000 images train in under 3 minutes on 2 CPU cores (embedding ~30 s, search ~100 s,
 * final fit ~15 s).
 */
export const DEFAULT_TRAIN_SETTINGS: TrainSettings = {
  architecture: 'auto',
  searchBudgetSeconds: 100,
  folds: 5,
  trainViews: 2,
  flipTta: true,
  maxEnsemble: 5,
  oodPercentile: 99,
  threads: 2,
};

/**
 * Candidate feature sets, most promising first (the search evaluates in this order until the budget is spent).
 * Intermediate MobileNetV2 blocks transfer better than the final 1280-d layer to small greyscale images; several
 * blocks concatenated carry both texture and shape.
 */
export function defaultFeatureSets(backbone = DEFAULT_BACKBONE): FeatureSetSpec[] {
  if (backbone !== DEFAULT_BACKBONE) {
    return [{ name: `${backbone}@96`, backbone, inputSize: 96, layers: [] }];
  }
  const four = ['pool_block_9', 'pool_block_12', 'pool_block_15', 'pool_block_16'];
  const all = Array.from({ length: 14 }, (_, i) => `pool_block_${i + 3}`);
  const set = (inputSize: number, layers: string[], tag: string): FeatureSetSpec => ({ name: `v2@${inputSize}:${tag}`, backbone, inputSize, layers });
  // Sets of one input size share a forward pass (the union of their layers), so the second set per size is free to
  // embed; different sizes see the garment at different scales, and averaging them is what the search usually picks.
  return [set(128, all, 'b3-b16'), set(160, four, 'b9+b12+b15+b16'), set(96, all, 'b3-b16'), set(96, four, 'b9+b12+b15+b16'), set(128, four, 'b9+b12+b15+b16'), set(160, all, 'b3-b16')];
}

/**
 * Strongly regularised logistic regression first: on 640-d pooled features from ~100 images per class it matched or
 * beat every MLP tried (on a validation sample drawn from the official *train* split), and costs ~1 s per fit.
 */
export function defaultHeads(): HeadConfig[] {
  const lr = { ...DEFAULT_HEAD_CONFIG, kind: 'logistic' as const, learningRate: 1e-2, batchSize: 512, epochs: 25, patience: 0, validationFraction: 0, labelSmoothing: 0 };
  return [
    { ...lr, l2: 1e-2 },
    { ...lr, l2: 3e-2 },
    { ...DEFAULT_HEAD_CONFIG, kind: 'mlp', hidden: 256, dropout: 0.5, l2: 1e-3, learningRate: 3e-4, patience: 10 },
  ];
}

/** Candidate order: every feature set with the first head, then with the second, ... (cheap, strong ones first). */
export function orderCandidates<T>(featureSets: T[], heads: HeadConfig[]): Array<{ featureSet: T; head: HeadConfig }> {
  return heads.flatMap((head) => featureSets.map((featureSet) => ({ featureSet, head })));
}

export function resolveSettings(partial: Partial<TrainSettings> = {}): TrainSettings {
  const s = { ...DEFAULT_TRAIN_SETTINGS, ...partial };
  if (s.folds < 2) throw new Error('settings.folds must be at least 2');
  if (s.trainViews < 1) throw new Error('settings.trainViews must be at least 1');
  if (!(s.oodPercentile > 0 && s.oodPercentile <= 100)) throw new Error('settings.oodPercentile must be in (0, 100]');
  if (s.architecture !== 'auto' && !s.architecture.startsWith('transfer:')) throw new Error(`unsupported architecture "${s.architecture}"`);
  return s;
}
