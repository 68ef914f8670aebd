export type { TrainClassifierInput, TrainClassifierResult, TrainingImage, SkippedImage, RawPixels, TrainSettings, TrainProgress, TrainPhase, FeatureSetSpec, UnlabeledImage } from './types';
export { trainClassifier } from './train-classifier';
export { DEFAULT_TRAIN_SETTINGS, DEFAULT_BACKBONE, defaultFeatureSets, defaultHeads, orderCandidates, resolveSettings } from './settings';
export { extractFeatureSets, groupFeatureSets, sliceFeatureSets, trainingViews } from './extract-features';
export { loadTrainingImages, requireImagesPerClass, skippedMessage, type LoadedImages } from './load-images';
