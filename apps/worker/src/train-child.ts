/**
 * The training child process. TensorFlow.js on wasm and onnxruntime compute synchronously, so training runs here,
 * off the event loop of the process that answers HTTP and heartbeats jobs. It reads images and writes artifacts
 * through the blob store itself (only ids travel over IPC) and reports progress as messages.
 */
import {
  artifactToFiles,
  INSIGHT_FILES,
  InvalidImageError,
  skippedMessage,
  trainClassifier,
  trainCnnClassifier,
  type PixelLimits,
  type SkippedImage,
  type TrainSettings,
} from '@tailor/ml';
import { BlobNotFoundError, createBlobStore, type BlobStore } from '@tailor/storage';
import { BlobEmbeddingCache } from './blob-embedding-cache';
import type { ChildMessage, TrainRequest } from './train-protocol';
import { configureOnnxProviders, exitWithParent } from '@tailor/ml';

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.send!(msg, undefined, {}, () => resolve()));
}

/**
 * The engine settings a user may set, each within the bounds the API validates them with (v1.trainSettings); every
 * other key (a run queued before unknown keys were refused, say) keeps the engine's default. The clamps repeat the
 * contract's bounds so that nothing stored earlier can ask the engine for unbounded work.
 */
const USER_NUMBERS: Record<string, [number, number]> = { folds: [2, 10], maxEnsemble: [1, 64] };

function userSettings(settings: Record<string, unknown>): Partial<TrainSettings> {
  const out: Record<string, unknown> = {};
  for (const [k, [min, max]] of Object.entries(USER_NUMBERS)) {
    const v = settings[k];
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = Math.min(max, Math.max(min, Math.round(v)));
  }
  if (settings.ensemble === 'greedy' || settings.ensemble === 'near-best') out.ensemble = settings.ensemble;
  const tp = settings.targetPrecision;
  if (typeof tp === 'number' && Number.isFinite(tp)) out.targetPrecision = Math.min(0.999, Math.max(0.5, tp));
  return out as Partial<TrainSettings>;
}

/** Epochs of the tutorial CNNs, within the contract's bounds (the time limit cuts a run that asks too many). */
function cnnEpochs(settings: Record<string, unknown>): number | undefined {
  const v = settings.epochs;
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(500, Math.max(1, Math.round(v))) : undefined;
}

const CNN_ARCHS = ['cnn1', 'cnn3', 'cnn4'] as const;

/**
 * The run's images as the engine loads them. A blob that is gone for good makes its image unreadable (skipped and
 * named, like one that does not decode); any other store error still fails the attempt, so the job is retried.
 */
function trainingImages(req: TrainRequest, blobs: BlobStore) {
  return req.images.map((i) => ({
    id: i.id,
    sha256: i.sha256,
    label: i.label,
    ...(i.filename ? { filename: i.filename } : {}),
    load: () =>
      blobs.getBuffer(i.blobKey).catch((err) => {
        throw err instanceof BlobNotFoundError ? new InvalidImageError('the stored file is missing', { cause: err }) : err;
      }),
  }));
}

/** The run's unlabelled images, loaded like the labelled ones (the engine predicts a capped sample of them). */
function unlabeledImages(req: TrainRequest, blobs: BlobStore) {
  return (req.unlabeled ?? []).map((i) => ({
    id: i.id,
    sha256: i.sha256,
    ...(i.filename ? { filename: i.filename } : {}),
    load: () =>
      blobs.getBuffer(i.blobKey).catch((err) => {
        throw err instanceof BlobNotFoundError ? new InvalidImageError('the stored file is missing', { cause: err }) : err;
      }),
  }));
}

/**
 * The run's dataset insights next to its artifact (not among its files: an export leaves them out). A failure here,
 * in the engine or in the store, is logged in the metrics and the run still succeeds; the API answers 409 for them.
 */
async function writeInsights(req: TrainRequest, blobs: BlobStore, result: Awaited<ReturnType<typeof trainClassifier>>) {
  if (!result.insights) {
    if (result.insightsError) process.stderr.write(`dataset insights skipped: ${result.insightsError}\n`);
    return { error: result.insightsError ?? 'not computed' };
  }
  try {
    await blobs.put(`${req.artifactPrefix}/${INSIGHT_FILES.audit}`, Buffer.from(JSON.stringify(result.insights.audit)));
    await blobs.put(`${req.artifactPrefix}/${INSIGHT_FILES.suggestions}`, Buffer.from(JSON.stringify(result.insights.suggestions)));
  } catch (err) {
    process.stderr.write(`dataset insights not stored: ${(err as Error)?.message ?? err}\n`);
    return { error: `not stored: ${(err as Error)?.message ?? err}` };
  }
  const a = result.insights.audit.audit;
  return {
    labelErrors: a.labelErrors.length,
    duplicates: a.duplicates.length,
    outliers: a.outliers.length,
    unlabeled: result.insights.unlabeled,
    seconds: result.insights.seconds,
  };
}

/** The loading rules the service configures (the engine's defaults otherwise). */
function loadingRules(req: TrainRequest): { imageLimits?: PixelLimits; minImagesPerClass?: number } {
  return {
    ...(req.maxImagePixels ? { imageLimits: { maxPixels: req.maxImagePixels } } : {}),
    ...(req.minImagesPerClass ? { minImagesPerClass: req.minImagesPerClass } : {}),
  };
}

/** Leaves the skipped images named in the run's last progress message, where the run view shows it after success. */
async function reportSkipped(skipped: SkippedImage[]) {
  if (skipped.length) await send({ type: 'progress', progress: { phase: 'evaluating', fraction: 1, message: skippedMessage(skipped) } });
}

/** The tutorial's CNNs, trained from scratch on the uploaded images (architecture cnn1/cnn3/cnn4). */
async function trainCnnModel(req: TrainRequest, blobs: BlobStore) {
  const result = await trainCnnClassifier({
    images: trainingImages(req, blobs),
    ...loadingRules(req),
    classes: req.classes,
    arch: req.architecture as (typeof CNN_ARCHS)[number],
    seed: req.seed,
    epochs: cnnEpochs(req.settings),
    onProgress: (p) => void send({ type: 'progress', progress: p }),
  });
  const files: Array<{ name: string; size: number }> = [];
  for (const [name, bytes] of Object.entries(result.files)) {
    await blobs.put(`${req.artifactPrefix}/${name}`, bytes);
    files.push({ name, size: bytes.byteLength });
  }
  await reportSkipped(result.skippedImages);
  await send({
    type: 'done',
    outcome: {
      files,
      metrics: { ...result.report, skippedImages: result.skippedImages, timings: { totalSeconds: result.totalSeconds } },
      backbone: null,
      architecture: req.architecture,
    },
  });
}

async function train(req: TrainRequest) {
  if (req.onnxProviders) configureOnnxProviders(req.onnxProviders);
  const blobs = createBlobStore(req.blobConfig);
  if ((CNN_ARCHS as readonly string[]).includes(req.architecture)) return trainCnnModel(req, blobs);
  const result = await trainClassifier({
    images: trainingImages(req, blobs),
    unlabeled: unlabeledImages(req, blobs),
    ...loadingRules(req),
    classes: req.classes,
    seed: req.seed,
    settings: {
      architecture: req.architecture === 'auto' || /^(transfer|finetune):/.test(req.architecture) ? (req.architecture as 'auto') : 'auto',
      timeBudgetSeconds: req.timeBudgetSeconds,
      ...(req.threads ? { threads: req.threads } : {}),
      ...userSettings(req.settings),
    },
    cache: new BlobEmbeddingCache(blobs),
    onProgress: (p) => void send({ type: 'progress', progress: p }),
  });
  const files: Array<{ name: string; size: number }> = [];
  // manifest.json + weight files: a directory-like artifact that `export` can hand out as is.
  for (const [name, bytes] of Object.entries(artifactToFiles(result.artifact))) {
    await blobs.put(`${req.artifactPrefix}/${name}`, Buffer.from(bytes));
    files.push({ name, size: bytes.byteLength });
  }
  const insights = await writeInsights(req, blobs, result);
  await reportSkipped(result.skippedImages);
  await send({
    type: 'done',
    outcome: {
      files,
      metrics: { ...result.report, insights, candidates: result.candidates, chosen: result.chosen, skippedImages: result.skippedImages, timings: result.timings },
      backbone: result.artifact.manifest.featureSets[0]?.backbone ?? null,
      architecture: req.architecture,
    },
  });
}

// If the worker dies (even by SIGKILL) its IPC channel closes, and its pid stops being our parent's: stop, rather
// than train for nobody.
process.on('disconnect', () => process.exit(1));
exitWithParent();

process.once('message', (req: TrainRequest) => {
  train(req).then(
    () => process.exit(0),
    async (err: Error) => {
      await send({ type: 'error', message: err?.message ?? String(err) });
      process.exit(1);
    },
  );
});
