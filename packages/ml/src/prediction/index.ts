export type { ClassifierArtifact, ClassifierManifest, ArtifactMember, ArtifactFeatureSet, ArtifactOod, ArtifactTensorRef, ArtifactCalibration, ArtifactThresholds } from './artifact';
export { ARTIFACT_FORMAT, ARTIFACT_VERSION, validateManifest } from './artifact';
export type { LoadedClassifier, ImagePrediction, PredictOptions, LoadClassifierOptions } from './load-classifier';
export { loadClassifier } from './load-classifier';
export { artifactToFiles, artifactFromFiles } from './artifact-files';
