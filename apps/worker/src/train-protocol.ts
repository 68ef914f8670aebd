import type { BlobStoreConfig } from '@tailor/storage';
import type { ProgressUpdate } from '@tailor/core';

/** What the worker sends its training child process. */
export interface TrainRequest {
  runId: string;
  blobConfig: BlobStoreConfig;
  artifactPrefix: string;
  images: Array<{ id: string; sha256: string; blobKey: string; label: string; filename?: string | null }>;
  /** Images uploaded without a label: the engine may learn from them (semi-supervised) and rank them for labelling. */
  unlabeled?: Array<{ id: string; sha256: string; blobKey: string; filename?: string | null }>;
  classes: string[];
  seed: number;
  settings: Record<string, unknown>;
  architecture: string;
  /** Seconds for the whole run (loading, embedding, search, final fit): the engine plans to fit it. */
  timeBudgetSeconds: number;
  /** onnxruntime threads (TAILOR_TRAIN_THREADS); the engine's default otherwise. */
  threads?: number;
  /** onnxruntime execution providers (TAILOR_ONNX_PROVIDERS), e.g. ['cuda', 'cpu'] on a GPU worker. */
  onnxProviders?: Array<'cuda' | 'cpu'>;
  /** The uploads' pixel limit, applied again when images load (older uploads were checked less). */
  maxImagePixels?: number;
  /** Readable images each class needs once unreadable ones are skipped. */
  minImagesPerClass?: number;
}

export interface TrainOutcome {
  files: Array<{ name: string; size: number }>;
  metrics: Record<string, unknown>;
  backbone: string | null;
  architecture: string;
}

export type ChildMessage =
  | { type: 'progress'; progress: ProgressUpdate }
  | { type: 'done'; outcome: TrainOutcome }
  | { type: 'error'; message: string };
