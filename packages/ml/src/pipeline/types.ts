import type { EmbeddingCache } from '../embeddings/embedding-cache';
import type { EvaluationReport } from '../evaluation/report';
import type { HeadConfig } from '../heads/types';
import type { CnnRecipe } from '../selection/cnn-candidate';
import type { ClassifierArtifact } from '../prediction/artifact';
import type { FinetuneRecipe } from '../finetune/finetune-recipe';
import type { PixelLimits } from '../preprocess/check-image';
import type { RunInsights } from '../insights/run-insights';
import type { SemiSupervisedReport } from '../semi/semi-step';

/** Raw 8-bit pixels, for benchmarks on idx datasets (only single-channel is supported: it is what idx holds). */
export interface RawPixels {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1;
}

export interface TrainingImage {
  id: string;
  sha256: string;
  label: string;
  /** The uploaded file's name, for naming the image if it has to be skipped. */
  filename?: string;
  /** Encoded image file (JPEG, PNG, WebP, ...). */
  bytes?: Buffer;
  /** Loads the encoded bytes on demand (e.g. from the blob store); throws InvalidImageError when they are gone for good. */
  load?: () => Promise<Buffer>;
  /** Pre-decoded pixels instead of a file (benchmarks). */
  pixels?: RawPixels;
}

/** A feature set: pooled outputs of named layers of one backbone at one input size, concatenated in order. */
export interface FeatureSetSpec {
  name: string;
  backbone: string;
  inputSize: number;
  layers: string[];
  /** Embed the images' negatives (255 - p) instead; see EmbedderOptions.invert. */
  invert?: boolean;
}

export interface TrainSettings {
  /**
   * 'auto' plans candidates from what the images look like; 'transfer:<backbone>' only heads on that backbone's
   * frozen features; 'finetune:<backbone>' only that backbone's fine-tuned top.
   */
  architecture: 'auto' | `transfer:${string}` | `finetune:${string}`;
  /**
   * Seconds for the whole run on the reference machine (2 CPU cores): loading, embedding, the search and the final
   * fits. The plan prices candidates with a cost model and keeps those that fit; it never reads the clock.
   */
  timeBudgetSeconds: number;
  /** Former name of timeBudgetSeconds (it used to bound the search only); still accepted. */
  searchBudgetSeconds?: number;
  folds: number;
  /** Views the heads are trained on: 1 = original, 2 = + horizontal flip, n > 2 = + (n - 2) seeded augmentations. */
  trainViews: number;
  /** Average predictions over the original and its horizontal flip. */
  flipTta: boolean;
  /** Up to this many candidates are averaged (1 = the single best). */
  maxEnsemble: number;
  /** 'greedy' (default): add candidates while the out-of-fold accuracy improves; 'near-best': average every candidate within 3 points of the best. */
  ensemble: 'near-best' | 'greedy';
  /** Percentile of the training images' out-of-fold OOD scores used as the "none of the above" threshold. */
  oodPercentile: number;
  /** Precision a "sure" prediction should have: per-class thresholds below which predictions are flagged uncertain. */
  targetPrecision: number;
  /** Override the candidate feature sets (default: the plan's). With `heads`, every set x head is a candidate. */
  featureSets?: FeatureSetSpec[];
  /** Override the candidate heads (default: the plan's). */
  heads?: HeadConfig[];
  /** Override the fine-tuning candidates (default: the plan's). */
  finetunes?: FinetuneRecipe[];
  /** Folds of a fine-tuning candidate's cross-validation (its fold models are served averaged); default: the plan's. */
  finetuneFolds?: number;
  /** Most prediction cost (MMAC per image, all test-time views) the ensemble may add up to (default: the plan's). */
  maxPredictCost?: number;
  /** CNNs trained from scratch as candidates (default: the 1-conv tutorial CNN under 'auto', none under 'transfer:'). */
  cnnCandidates?: CnnRecipe[];
  /**
   * Cross-validate the CNN candidates in child processes, concurrently with the head search (default true): on a
   * 2-core machine that makes them nearly free in wall time. false = in this process, one after the other.
   */
  cnnAlongside: boolean;
  /** onnxruntime threads for embedding. */
  threads: number;
}

export type TrainPhase = 'loading' | 'embedding' | 'searching' | 'training' | 'evaluating';

export interface TrainProgress {
  phase: TrainPhase;
  /** Overall fraction of the run done, 0..1. */
  fraction: number;
  epoch?: number;
  epochs?: number;
  candidate?: string;
  etaSeconds?: number;
  message?: string;
}

/** An image left out of a run because it could not be decoded (or broke the pixel limits). */
export interface SkippedImage {
  id: string;
  filename?: string;
  reason: string;
}

/** An image uploaded without a label. */
export type UnlabeledImage = Omit<TrainingImage, 'label'>;

export interface TrainClassifierInput {
  images: TrainingImage[];
  /**
   * Images without a label: a budget-capped, seeded sample trains self-trained twins of the plan's first heads
   * (result.semiSupervised; cross-validation decides whether they are used), and after evaluation the served model
   * predicts (a capped, seeded sample of) them, to rank them for labelling and to search them for copies of labelled
   * images (result.insights).
   */
  unlabeled?: UnlabeledImage[];
  /** Dataset insights (the audit, "label these next"); on by default. maxUnlabeled caps the unlabelled images ranked. */
  insights?: { enabled?: boolean; maxUnlabeled?: number };
  classes: string[];
  seed: number;
  /** Pixel limits of the decode check at loading (default: 50 megapixels); an image beyond them is skipped. */
  imageLimits?: PixelLimits;
  /** Readable images each class needs once unreadable ones are skipped (default 2, the least cross-validation needs). */
  minImagesPerClass?: number;
  settings?: Partial<TrainSettings>;
  cache?: EmbeddingCache;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
}

export interface TrainClassifierResult {
  artifact: ClassifierArtifact;
  report: EvaluationReport;
  chosen: { members: string[]; cvAccuracy: number; description: Array<Record<string, unknown>> };
  candidates: Array<{ name: string; cvAccuracy: number; cvLogLoss: number; seconds: number }>;
  skippedCandidates: string[];
  /** Images left out because they could not be decoded; the run trained on the others. */
  skippedImages: SkippedImage[];
  timings: { loadingSeconds: number; embeddingSeconds: number; searchSeconds: number; finalFitSeconds: number; insightsSeconds?: number; totalSeconds: number };
  /**
   * The dataset audit and the "label these next" ranking, stored next to the artifact (INSIGHT_FILES); absent when
   * disabled or when computing them failed (insightsError says why: the run itself succeeded).
   */
  insights?: RunInsights;
  insightsError?: string;
  /**
   * Semi-supervised training (present when unlabelled images were given): how many the run used (budget-capped), how
   * many the chosen self-trained members learnt from with a pseudo-label, and why; also in report.semiSupervised.
   */
  semiSupervised?: SemiSupervisedReport;
  /** The plan: the images' pool, the candidates kept and left out, and the cost model's estimate of the run. */
  plan: { pool: string; estimatedSeconds: number; skipped: Array<{ name: string; seconds: number }> };
  /** Fine-tuned members: which backbone layers were trained. */
  finetuned: Array<{ member: string; backbone: string; trainedLayers: string[]; models: number }>;
}
