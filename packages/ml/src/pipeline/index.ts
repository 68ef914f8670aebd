export type { TrainClassifierInput, TrainClassifierResult, TrainingImage, RawPixels, TrainSettings, TrainProgress, TrainPhase, FeatureSetSpec } from './types';
export { trainClassifier } from './train-classifier';
export { DEFAULT_TRAIN_SETTINGS, DEFAULT_BACKBONE, defaultFeatureSets, defaultHeads, orderCandidates, resolveSettings } from './settings';
export { extractFeatureSets, groupFeatureSets, sliceFeatureSets, trainingViews } from './extract-features';
