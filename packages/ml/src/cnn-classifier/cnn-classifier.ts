import { CNN_INPUT, embedInputsToCnnBatch, imagesToCnnBatch, loadCnn, trainCnn, type CnnArch } from '../cnn';
import { createRng } from '../random';
import { scorePredictions, type ClassificationMetrics } from '../evaluation';
import { stratifiedHoldout } from '../heads/stratified-split';
import type { TrainProgress } from '../pipeline';
import { loadTrainingImages, requireImagesPerClass, skippedMessage } from '../pipeline/load-images';
import type { PixelLimits } from '../preprocess/check-image';
import { initTf } from '../tf/backend';
import { explainByOcclusion, type ExplainOptions } from '../trust/explain-occlusion';

export const CNN_CLASSIFIER_FORMAT = 'tailor.cnn-classifier';

export interface CnnClassifierManifest {
  format: typeof CNN_CLASSIFIER_FORMAT;
  version: 1;
  arch: CnnArch;
  classes: string[];
  /** Out-of-distribution rule for a model without a feature space: max softmax probability below this threshold. */
  oodMaxProbThreshold: number;
  epochs: number;
}

export interface TrainCnnClassifierInput {
  images: Array<{ id: string; label: string; filename?: string; bytes?: Buffer; load?: () => Promise<Buffer> }>;
  classes: string[];
  /** As for trainClassifier: images beyond these limits or that do not decode are skipped (and named). */
  imageLimits?: PixelLimits;
  minImagesPerClass?: number;
  arch: CnnArch;
  seed: number;
  epochs?: number;
  batchSize?: number;
  /** Fraction of the uploaded images held out for the evaluation report. */
  holdout?: number;
  onProgress?: (p: TrainProgress) => void;
}

export interface CnnClassifierReport extends ClassificationMetrics {
  classes: string[];
  method: 'holdout';
  heldOut: number;
  curves: Array<{ member: string; epochs: Array<{ epoch: number; loss: number; accuracy: number; valLoss?: number; valAccuracy?: number }> }>;
}

/**
 * A tutorial CNN as a service model: the uploaded images (greyscale 28x28, the tutorial's input) are split, seeded and
 * stratified, into training and a held-out part; the CNN trains from scratch on the first and is scored on the second
 * (the report), so the figures are honest estimates on images it never saw.
 */
export async function trainCnnClassifier(input: TrainCnnClassifierInput) {
  await initTf();
  const started = Date.now();
  const { classes, arch, seed } = input;
  const epochs = input.epochs ?? 20;
  const report = (p: TrainProgress) => input.onProgress?.(p);
  report({ phase: 'loading', fraction: 0 });
  // The same loading step as trainClassifier: an unreadable image is left out and named, the rest train.
  const { images, inputs, skipped: skippedImages } = await loadTrainingImages(input.images, { limits: input.imageLimits });
  const labels = Int32Array.from(images.map((im) => classes.indexOf(im.label)));
  if (labels.some((l) => l < 0)) throw new Error('an image has a label outside the model\'s classes');
  requireImagesPerClass(classes, labels, Math.max(2, input.minImagesPerClass ?? 2), skippedImages);
  if (skippedImages.length) report({ phase: 'loading', fraction: 0.05, message: skippedMessage(skippedImages) });
  const pixels = await embedInputsToCnnBatch(inputs);
  const per = CNN_INPUT.width * CNN_INPUT.height;
  const held = stratifiedHoldout(labels, input.holdout ?? 0.2, createRng(seed ^ 0x5eed));
  const pick = (want: number) => {
    const idx = [...held.keys()].filter((i) => held[i] === want);
    const x = new Float32Array(idx.length * per);
    idx.forEach((i, j) => x.set(pixels.subarray(i * per, (i + 1) * per), j * per));
    return { idx, images: x, labels: Int32Array.from(idx.map((i) => labels[i]!)) };
  };
  const train = pick(0);
  const val = pick(1);
  const t0 = Date.now();
  const result = await trainCnn({
    images: train.images,
    labels: train.labels,
    classes,
    arch,
    epochs,
    seed,
    batchSize: Math.min(input.batchSize ?? 64, Math.max(8, train.idx.length)),
    augment: true,
    validation: { images: val.images, labels: val.labels },
    onEpoch: (s) => {
      const perEpoch = (Date.now() - t0) / 1000 / s.epoch;
      report({ phase: 'training', fraction: 0.05 + (0.9 * s.epoch) / epochs, epoch: s.epoch, epochs, candidate: arch, etaSeconds: perEpoch * (epochs - s.epoch) });
    },
  });
  report({ phase: 'evaluating', fraction: 0.96 });
  const predictor = await loadCnn(result.artifact);
  const probs = predictor.predict(val.images, val.idx.length);
  predictor.dispose();
  const metrics = scorePredictions({ classes, labels: val.labels, probabilities: probs, ids: val.idx.map((i) => images[i]!.id) });
  const c = classes.length;
  const maxProbs = Array.from({ length: val.idx.length }, (_, i) => Math.max(...probs.subarray(i * c, (i + 1) * c))).sort((a, b) => a - b);
  const manifest: CnnClassifierManifest = {
    format: CNN_CLASSIFIER_FORMAT,
    version: 1,
    arch,
    classes,
    // The 2nd percentile of held-out confidence: ~2% of in-distribution images would be flagged.
    oodMaxProbThreshold: maxProbs.length ? maxProbs[Math.floor(0.02 * maxProbs.length)]! : 0,
    epochs,
  };
  const reportOut: CnnClassifierReport = {
    ...metrics,
    classes,
    method: 'holdout',
    heldOut: val.idx.length,
    curves: [{ member: arch, epochs: result.history.map(({ epoch, loss, accuracy, valLoss, valAccuracy }) => ({ epoch, loss, accuracy, valLoss, valAccuracy })) }],
  };
  const files: Record<string, Buffer> = {
    'manifest.json': Buffer.from(JSON.stringify(manifest, null, 2)),
    'model.json': Buffer.from(result.artifact.modelJson),
    'weights.bin': Buffer.from(result.artifact.weights),
  };
  return { files, report: reportOut, manifest, skippedImages, totalSeconds: (Date.now() - started) / 1000 };
}

/** Loads a CNN classifier from its files; same prediction shape as the transfer-learning classifier. */
export async function loadCnnClassifier(files: Record<string, Buffer>) {
  await initTf();
  const manifest = JSON.parse(files['manifest.json']!.toString('utf8')) as CnnClassifierManifest;
  if (manifest.format !== CNN_CLASSIFIER_FORMAT) throw new Error(`not a CNN classifier artifact (${manifest.format})`);
  const predictor = await loadCnn({ modelJson: files['model.json']!.toString('utf8'), weights: new Uint8Array(files['weights.bin']!) });
  const c = manifest.classes.length;
  const probabilities = async (images: Buffer[]) => predictor.predict(await imagesToCnnBatch(images), images.length);
  return {
    classes: manifest.classes,
    /** Occlusion heat map (trust/explain-occlusion.ts), through the same input path as predict. */
    explain: (image: Buffer, opts?: ExplainOptions) => explainByOcclusion(image, manifest.classes, probabilities, opts),
    async predict(images: Buffer[]) {
      const x = await imagesToCnnBatch(images);
      const probs = predictor.predict(x, images.length);
      return images.map((_, i) => {
        const row = Array.from(probs.subarray(i * c, (i + 1) * c));
        const max = Math.max(...row);
        const prediction = row.map((p, k) => ({ label: manifest.classes[k]!, probability: p })).sort((a, b) => b.probability - a.probability);
        return {
          prediction,
          outOfDistribution: max < manifest.oodMaxProbThreshold,
          // Its only confidence rule is the held-out top-probability threshold: below it, not sure as well.
          uncertain: max < manifest.oodMaxProbThreshold,
          // > 1 means out of distribution, as for the transfer classifier.
          oodScore: manifest.oodMaxProbThreshold > 0 ? manifest.oodMaxProbThreshold / Math.max(max, 1e-9) : 0,
        };
      });
    },
    dispose: () => predictor.dispose(),
  };
}

export function isCnnClassifier(files: Record<string, Buffer>): boolean {
  const raw = files['manifest.json'];
  if (!raw) return false;
  try {
    return (JSON.parse(raw.toString('utf8')) as { format?: string }).format === CNN_CLASSIFIER_FORMAT;
  } catch {
    return false;
  }
}
