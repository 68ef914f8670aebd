export { initTf, tf } from './tf/backend';
export type { TfBackendName } from './tf/backend';

// Training pipeline: the one entry point the worker and the benchmark call, and the artifact it produces.
export { trainClassifier, skippedMessage, DEFAULT_TRAIN_SETTINGS, DEFAULT_BACKBONE, defaultFeatureSets, defaultHeads, resolveSettings } from './pipeline';
export type { TrainClassifierInput, TrainClassifierResult, TrainingImage, SkippedImage, RawPixels, TrainSettings, TrainProgress, TrainPhase, FeatureSetSpec, UnlabeledImage } from './pipeline';
// Dataset insights a run computes (the audit, "label these next") and where they are stored next to its artifact.
export { INSIGHT_FILES, type StoredAudit, type StoredSuggestions } from './insights/insight-files';
export { MAX_UNLABELED_RANKED, type RunInsights } from './insights/run-insights';
export { loadClassifier, artifactToFiles, artifactFromFiles, validateManifest, ARTIFACT_FORMAT, ARTIFACT_VERSION } from './prediction';
export type { ClassifierArtifact, ClassifierManifest, ArtifactMember, ArtifactFeatureSet, ArtifactOod, LoadedClassifier, ImagePrediction, PredictOptions, LoadClassifierOptions } from './prediction';
export { scorePredictions } from './evaluation';
export type { EvaluationReport, ClassificationMetrics, ClassMetrics, ConfusionCell, ReliabilityBin } from './evaluation';

// Building blocks (heads, selection) for callers that assemble their own recipes.
export { trainHead, predictHead, HeadRunner, DEFAULT_HEAD_CONFIG, stratifiedFolds, stratifiedHoldout } from './heads';
export type { HeadConfig, HeadKind, TrainedHead, EpochStats, FeatureMatrix } from './heads';
export { searchCandidates, featureHeadCandidate } from './selection';
export type { SelectionCandidate, CrossValidationContext, CandidateResult, SearchResult } from './selection';

// Embeddings (frozen backbones) and the cache the service backs with its blob store.
export { createEmbedder, MemoryEmbeddingCache, embeddingCacheKey } from './embeddings';
export type { Embedder, EmbedInput, EmbeddingCache, EmbeddingView } from './embeddings';

export { loadFashionMnist, sampleStratified, FASHION_MNIST_CLASSES, parseIdx } from './datasets';
export type { GreyImageSet } from './datasets';

// Image checks and preprocessing shared by the upload path, training and prediction.
export { decodeImageInfo, InvalidImageError, preprocessImage, SUPPORTED_FORMATS, checkImageSize, verifyImage, DEFAULT_MAX_IMAGE_PIXELS } from './preprocess';
export type { ImageInfo, ImageFormat, PixelLimits } from './preprocess';

// The tutorial's CNNs from scratch (wasm conv gradients in ../tf), and as service models.
export * from './cnn';
export { trainCnnClassifier, loadCnnClassifier, isCnnClassifier, CNN_CLASSIFIER_FORMAT } from './cnn-classifier';
export type { CnnClassifierManifest, CnnClassifierReport } from './cnn-classifier';

// For the compute child processes (training, CNN candidates): they end when their parent dies.
export { exitWithParent } from './child-process/exit-with-parent';

// What this process computes with (logged at start, shown by /health), and where onnxruntime runs.
export { describeCompute, type ComputeInfo } from './compute/describe-compute';
export { configureOnnxProviders, onnxProviders, type OnnxProvider } from './onnx/execution-providers';
