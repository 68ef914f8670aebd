export { PredictionService } from './prediction-service';
export type { ClassifierLoader, LoadedClassifier, ImagePrediction, ClassPrediction, StoredArtifacts, PredictInput, PredictOutcome } from './prediction-service';
export { Lru } from './lru';
export { coalescePredictions } from './coalescing-classifier';
