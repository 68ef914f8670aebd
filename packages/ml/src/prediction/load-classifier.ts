import { flipHorizontal } from '../augment/augment-image';
import { createEmbedder, type Embedder, type EmbedInput, type GreyPixels } from '../embeddings/create-embedder';
import type { FloatImage } from '../preprocess/image-types';
import { mapLimit, preprocessGreyPixels, preprocessImage } from '../preprocess/preprocess-image';
import type { EmbeddingCache, EmbeddingView } from '../embeddings/embedding-cache';
import type { FeatureMatrix } from '../heads/matrix';
import { HeadRunner } from '../heads/predict-head';
import { initTf } from '../tf/backend';
import { groupFeatureSets, sliceFeatureSets, type EmbedderGroup } from '../pipeline/extract-features';
import { embedInputsToCnnBatch, loadCnn, type CnnPredictor } from '../cnn';
import { loadFinetuneRunner, type FinetuneRunner } from '../finetune/finetune-runner';
import { type ClassifierArtifact, memberToCnn, memberToFinetuneParams, memberToHead, validateManifest } from './artifact';
import { applyTemperature } from '../trust/calibration';
import { explainByOcclusion, type Explanation, type ExplainOptions } from '../trust/explain-occlusion';
import { loadOodDetector } from '../trust/ood-detector';
import { isUncertain } from '../trust/precision-thresholds';

/** The same preprocessing the embedder applies to training images (decode, RGB, resize, pixel / 127.5 - 1). */
function toFloatImage(x: EmbedInput, size: number): Promise<FloatImage> {
  if (x instanceof Uint8Array) return preprocessImage(x, { size });
  if ('pixels' in x) {
    const g = x as GreyPixels;
    return preprocessGreyPixels(g.pixels, g.width, g.height, { size });
  }
  if (x.width !== size || x.height !== size) throw new Error(`preprocessed image is ${x.width}x${x.height}, expected ${size}`);
  return Promise.resolve(x);
}

export interface PredictOptions {
  /** Return only the k most probable classes (default: every class). */
  topK?: number;
}

export interface ImagePrediction {
  /** Classes sorted by probability, highest first. */
  prediction: Array<{ label: string; probability: number }>;
  /** True when the image looks unlike every trained class ("none of the above"). */
  outOfDistribution: boolean;
  /** The detector's score relative to its threshold: > 1 means out of distribution. */
  oodScore: number;
  /**
   * "Not sure": the top probability (calibrated) is below its class's threshold, chosen on out-of-fold predictions for
   * the model's target precision, or the image is out of distribution. Artifacts without thresholds flag only the
   * latter.
   */
  uncertain: boolean;
}

export interface LoadedClassifier {
  readonly classes: string[];
  /** Encoded image files (Buffer) or raw grey pixels; preprocessed exactly as in training. */
  predict(images: EmbedInput[], opts?: PredictOptions): Promise<ImagePrediction[]>;
  /** The features the OOD detector uses (original view), e.g. for an embedding projector. */
  embed(images: EmbedInput[]): Promise<Float32Array[]>;
  /** Which regions of an encoded image drove its prediction (occlusion: forward passes only). */
  explain(image: Buffer, opts?: ExplainOptions): Promise<Explanation>;
  dispose(): Promise<void>;
}

export interface LoadClassifierOptions {
  threads?: number;
  cache?: EmbeddingCache;
}

/** Rebuilds a classifier from its artifact: one embedder per (backbone, input size), one runner per head. */
export async function loadClassifier(artifact: ClassifierArtifact, opts: LoadClassifierOptions = {}): Promise<LoadedClassifier> {
  const { manifest, files } = artifact;
  validateManifest(manifest);
  await initTf();
  const classes = manifest.classes;
  const c = classes.length;
  const specs = manifest.featureSets.map((f) => ({ name: f.name, backbone: f.backbone, inputSize: f.inputSize, layers: f.layers, invert: f.invert === true }));
  const groups = groupFeatureSets(specs);
  const embedders: Array<{ group: EmbedderGroup; embedder: Embedder }> = [];
  // One runner per member, in member order: a head on a feature set, a CNN on the 28x28 greyscale image, or a
  // fine-tuned backbone (its own onnxruntime graph).
  const runners: Array<HeadRunner | CnnPredictor | FinetuneRunner> = [];
  const sharedPasses: Array<{ group: EmbedderGroup; member: number; layers: string[] }> = [];
  const disposeRunners = () => Promise.all(runners.map((r) => ('release' in r ? r.release() : r.dispose())));
  // A group of frozen feature sets with the backbone, input size and polarity of a fine-tuned member is computed by
  // that member's graph (its frozen part is the same network): one decode and one forward pass serve both.
  const maxViews = Math.max(1, ...manifest.members.map((m) => (m.kind === 'head' || m.kind === 'finetune' ? m.ttaViews : 1)));
  const views: EmbeddingView[] = maxViews >= 2 ? ['orig', 'flip'] : ['orig'];
  const servedBy = new Map<EmbedderGroup, number>();
  for (const group of groups) {
    const k = manifest.members.findIndex((m) => m.kind === 'finetune' && m.backbone === group.backbone && m.inputSize === group.inputSize && (m.invert === true) === group.invert);
    if (k >= 0) servedBy.set(group, k);
  }
  try {
    for (const group of groups) {
      if (servedBy.has(group)) continue;
      const embedder = await createEmbedder({ backbone: group.backbone, layers: group.layers, inputSize: group.inputSize, invert: group.invert, threads: opts.threads, cache: opts.cache });
      embedders.push({ group, embedder });
    }
    for (const [k, m] of manifest.members.entries()) {
      if (m.kind === 'cnn') runners.push(await loadCnn(memberToCnn(m, files)));
      else if (m.kind === 'finetune') {
        const shared = groups.filter((g) => servedBy.get(g) === k);
        const frozenLayers = [...new Set(shared.flatMap((g) => g.layers))];
        runners.push(await loadFinetuneRunner(m, memberToFinetuneParams(m, files), c, { threads: opts.threads, frozenLayers, views: shared.length ? views.length : m.ttaViews }));
        for (const g of shared) sharedPasses.push({ group: g, member: k, layers: frozenLayers });
      } else runners.push(new HeadRunner(memberToHead(m, files)));
    }
  } catch (err) {
    await disposeRunners();
    await Promise.all(embedders.map((e) => e.embedder.close()));
    throw err;
  }
  const o = manifest.ood;
  const ood = loadOodDetector(o, files, c);
  const temperature = manifest.calibration?.temperature ?? 1;
  const thresholds = manifest.thresholds?.perClass;

  /**
   * features[featureSet][view]. Each image is decoded once per input size through the shared preprocessing
   * function, and its original and flipped versions go through the backbone as one batch: for a single image that
   * halves the latency against one embed call per view (same numbers as the embedder's 'flip' view).
   */
  const features = async (images: EmbedInput[], useViews: EmbeddingView[], tuned?: Map<number, { frozen: Float32Array[] }>): Promise<Map<string, FeatureMatrix[]>> => {
    const out = new Map<string, FeatureMatrix[]>();
    for (const { group, member, layers } of sharedPasses) {
      const pass = tuned?.get(member) ?? (await (runners[member] as FinetuneRunner).predict(images));
      const dims = group.layers.map((l) => pass.frozen[layers.indexOf(l)].length / ((runners[member] as FinetuneRunner).views * images.length));
      useViews.forEach((_, v) => {
        const vectors = images.map((_, i) => {
          const row = new Float32Array(dims.reduce((a, b) => a + b, 0));
          let off = 0;
          group.layers.forEach((l, j) => {
            const src = pass.frozen[layers.indexOf(l)];
            row.set(src.subarray((v * images.length + i) * dims[j], (v * images.length + i + 1) * dims[j]), off);
            off += dims[j];
          });
          return row;
        });
        for (const [name, m] of sliceFeatureSets(group, dims, vectors)) out.set(name, [...(out.get(name) ?? []), m]);
      });
    }
    for (const { group, embedder } of embedders) {
      const size = group.inputSize;
      const orig = await mapLimit(images, 4, (x) => toFloatImage(x, size));
      const batch = useViews.includes('flip') ? [...orig, ...orig.map((f) => flipHorizontal(f) as FloatImage)] : orig;
      const vectors = await embedder.embed(batch);
      useViews.forEach((_, v) => {
        const part = vectors.slice(v * images.length, (v + 1) * images.length);
        for (const [name, m] of sliceFeatureSets(group, embedder.layerDims, part)) out.set(name, [...(out.get(name) ?? []), m]);
      });
    }
    return out;
  };

  /** Fine-tuned members' outputs by member index (only the OOD member's when `oodOnly`). */
  const finetuned = async (images: EmbedInput[], oodOnly = false) => {
    const out = new Map<number, { probs: Float32Array; cutFeatures: Float32Array; frozen: Float32Array[] }>();
    for (const [k, m] of manifest.members.entries()) {
      if (m.kind !== 'finetune' || (oodOnly && o.featureSet !== `member:${k}` && !sharedPasses.some((p) => p.member === k))) continue;
      out.set(k, await (runners[k] as FinetuneRunner).predict(images));
    }
    return out;
  };
  /**
   * The OOD detector's feature space: a feature set's original view, or a fine-tuned member's frozen map at its cut,
   * pooled (`member:<k>`), which that member's graph computes anyway.
   */
  const oodFeatures = (feats: Map<string, FeatureMatrix[]>, tuned: Map<number, { cutFeatures: Float32Array }>): FeatureMatrix => {
    const member = /^member:(\d+)$/.exec(o.featureSet);
    if (!member) return feats.get(o.featureSet)![0];
    const k = Number(member[1]);
    const data = tuned.get(k)!.cutFeatures;
    const dim = (runners[k] as FinetuneRunner).cutDim;
    return { rows: data.length / dim, dim, data };
  };

  /** Averaged member probabilities, calibrated (images x classes), and the pieces the OOD detector reads. */
  const probabilities = async (images: EmbedInput[]) => {
    const tuned = await finetuned(images);
    const feats = await features(images, views, tuned);
    const n = images.length;
    const probs = new Float32Array(n * c);
    const cnnPixels = manifest.members.some((m) => m.kind === 'cnn') ? await embedInputsToCnnBatch(images) : undefined;
    manifest.members.forEach((m, k) => {
      const runner = runners[k];
      if (m.kind === 'finetune') {
        const p = tuned.get(k)!.probs;
        for (let i = 0; i < p.length; i++) probs[i] += p[i] / manifest.members.length;
        return;
      }
      if (m.kind === 'cnn') {
        const p = (runner as CnnPredictor).predict(cnnPixels!, n);
        for (let i = 0; i < p.length; i++) probs[i] += p[i] / manifest.members.length;
        return;
      }
      const fv = feats.get(m.featureSet)!;
      for (let v = 0; v < m.ttaViews; v++) {
        const p = (runner as HeadRunner).predictProba(fv[v]);
        const w = 1 / (m.ttaViews * manifest.members.length);
        for (let i = 0; i < p.length; i++) probs[i] += p[i] * w;
      }
    });
    return { probs: temperature === 1 ? probs : applyTemperature(probs, c, temperature), feats, tuned };
  };

  return {
    classes,
    async predict(images, popts = {}) {
      if (!images.length) return [];
      const { probs, feats, tuned } = await probabilities(images);
      const scores = ood.score(oodFeatures(feats, tuned));
      const topK = Math.max(1, Math.min(c, popts.topK ?? c));
      return Array.from({ length: images.length }, (_, i) => {
        const row = probs.subarray(i * c, (i + 1) * c);
        const prediction = classes
          .map((label, k) => ({ label, probability: row[k] }))
          .sort((a, b) => b.probability - a.probability)
          .slice(0, topK);
        const oodScore = scores[i] / o.threshold;
        const outOfDistribution = oodScore > 1;
        return { prediction, outOfDistribution, oodScore, uncertain: outOfDistribution || (thresholds ? isUncertain(row, thresholds) : false) };
      });
    },
    async explain(image, eopts = {}) {
      return explainByOcclusion(image, classes, async (batch) => (await probabilities(batch)).probs, eopts);
    },
    async embed(images) {
      const tuned = await finetuned(images, true);
      const m = oodFeatures(await features(images, ['orig'], tuned), tuned);
      return Array.from({ length: m.rows }, (_, i) => m.data.slice(i * m.dim, (i + 1) * m.dim));
    },
    async dispose() {
      await disposeRunners();
      await Promise.all(embedders.map((e) => e.embedder.close()));
    },
  };
}
