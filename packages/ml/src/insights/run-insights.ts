import type { EmbedInput } from '../embeddings/create-embedder';
import type { EmbeddingCache } from '../embeddings/embedding-cache';
import type { FeatureMatrix } from '../heads/matrix';
import { createRng, deriveSeed, shuffleInPlace } from '../random';
import { loadTrainingImages } from '../pipeline/load-images';
import type { ClassifierArtifact } from '../prediction/artifact';
import { loadClassifier } from '../prediction/load-classifier';
import type { PixelLimits } from '../preprocess/check-image';
import type { UnlabeledImage } from '../pipeline/types';
import { datasetInsights } from './dataset-insights';
import type { StoredAudit, StoredSuggestions } from './insight-files';

/** Most unlabelled images one run predicts and ranks (a seeded sample of them beyond that). */
export const MAX_UNLABELED_RANKED = 2000;
/** Share of the run's time budget the unlabelled images' predictions may take, at this run's embedding speed. */
export const INSIGHTS_BUDGET_SHARE = 0.1;
/** Longest "label these next" list stored (the API serves prefixes of it, at most 200). */
export const MAX_STORED_SUGGESTIONS = 500;

export interface RunInsightsInput {
  classes: string[];
  seed: number;
  artifact: ClassifierArtifact;
  labeled: { ids: string[]; labels: Int32Array; oof: Float32Array; features: FeatureMatrix; inputs: EmbedInput[] };
  unlabeled: readonly UnlabeledImage[];
  /** How many unlabelled images to predict at most (the caller derives it from the budget; MAX_UNLABELED_RANKED caps it). */
  maxUnlabeled: number;
  imageLimits?: PixelLimits;
  threads?: number;
  cache?: EmbeddingCache;
  signal?: AbortSignal;
}

export interface RunInsights {
  audit: StoredAudit;
  suggestions: StoredSuggestions;
  /** Unlabelled images given, predicted and ranked (a sample when over the cap), and unreadable ones left out. */
  unlabeled: { given: number; ranked: number; skipped: number };
  seconds: number;
}

/**
 * A run's dataset insights, after its evaluation: the audit of the labelled images from the out-of-fold predictions
 * and the OOD detector's feature space, and the unlabelled images predicted by the served model (this artifact) and
 * embedded in that same space, ranked for labelling. Cost: one pass of the served model (and one of its OOD features)
 * over at most `maxUnlabeled` unlabelled images, plus neighbour searches on small matrices.
 */
export async function runInsights(input: RunInsightsInput): Promise<RunInsights> {
  const t0 = performance.now();
  const cap = Math.max(0, Math.min(MAX_UNLABELED_RANKED, Math.floor(input.maxUnlabeled)));
  const pool = [...input.unlabeled];
  if (pool.length > cap) shuffleInPlace(pool, createRng(deriveSeed(input.seed, 'insights:unlabeled')));
  const checkAbort = () => {
    if (input.signal?.aborted) throw input.signal.reason ?? new Error('aborted');
  };
  const loaded = await loadTrainingImages(pool.slice(0, cap), { limits: input.imageLimits, checkAbort });
  let unlabeled: Parameters<typeof datasetInsights>[0]['unlabeled'];
  if (loaded.images.length) {
    const classifier = await loadClassifier(input.artifact, { threads: input.threads, cache: input.cache });
    try {
      const c = input.classes.length;
      const u = loaded.inputs.length;
      const probabilities = new Float32Array(u * c);
      const dim = input.labeled.features.dim;
      const features: FeatureMatrix = { rows: u, dim, data: new Float32Array(u * dim) };
      const chunk = 64;
      for (let i = 0; i < u; i += chunk) {
        checkAbort();
        const batch = loaded.inputs.slice(i, i + chunk);
        const preds = await classifier.predict(batch);
        preds.forEach((p, j) => {
          for (const { label, probability } of p.prediction) probabilities[(i + j) * c + input.classes.indexOf(label)] = probability;
        });
        const vecs = await classifier.embed(batch);
        vecs.forEach((v, j) => {
          if (v.length !== dim) throw new Error(`insights: unlabelled features have ${v.length} dimensions, the labelled ones ${dim}`);
          features.data.set(v, (i + j) * dim);
        });
      }
      unlabeled = { ids: loaded.images.map((x) => x.id), probabilities, features, inputs: loaded.inputs };
    } finally {
      await classifier.dispose();
    }
  }
  checkAbort();
  const found = await datasetInsights({ classes: input.classes, seed: input.seed, labeled: input.labeled, unlabeled, maxSuggestions: MAX_STORED_SUGGESTIONS });
  return {
    audit: { format: 'tailor.audit', version: 1, classes: input.classes, audit: found.audit },
    suggestions: {
      format: 'tailor.suggestions',
      version: 1,
      method: `BADGE: k-means++ seeding over gradient embeddings of the served model's predictions (uncertain and diverse)${input.unlabeled.length > cap ? `, on a seeded sample of ${cap} of ${input.unlabeled.length} unlabelled images` : ''}`,
      classes: input.classes,
      ranked: found.suggestions,
    },
    unlabeled: { given: input.unlabeled.length, ranked: loaded.images.length, skipped: loaded.skipped.length },
    seconds: (performance.now() - t0) / 1000,
  };
}
