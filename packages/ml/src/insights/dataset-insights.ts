import { rankSuggestions, type Suggestion } from '../active/rank-suggestions';
import { auditDataset, type DatasetAudit } from '../audit/audit-dataset';
import { imageFingerprints } from '../audit/image-fingerprint';
import type { EmbedInput } from '../embeddings/create-embedder';
import type { FeatureMatrix } from '../heads/matrix';

export interface InsightsInput {
  classes: string[];
  seed: number;
  labeled: { ids: string[]; labels: Int32Array; oof: Float32Array; features: FeatureMatrix; inputs: EmbedInput[] };
  unlabeled?: { ids: string[]; probabilities: Float32Array; features: FeatureMatrix; inputs: EmbedInput[] };
  /** Longest "label these next" list kept (the API serves prefixes of it). */
  maxSuggestions?: number;
}

export interface DatasetInsights {
  suggestions: Suggestion[];
  audit: DatasetAudit;
}

/** What a run learned about its data, from its out-of-fold predictions and embeddings: label these next, and the audit. */
export async function datasetInsights(input: InsightsInput): Promise<DatasetInsights> {
  const { labeled, unlabeled } = input;
  const prints = await imageFingerprints([...labeled.inputs, ...(unlabeled?.inputs ?? [])]);
  const n = labeled.ids.length;
  const audit = await auditDataset({
    classes: input.classes,
    labeled: { ids: labeled.ids, labels: labeled.labels, oof: labeled.oof, features: labeled.features, fingerprints: prints.slice(0, n) },
    ...(unlabeled ? { unlabeled: { ids: unlabeled.ids, features: unlabeled.features, fingerprints: prints.slice(n) } } : {}),
  });
  const suggestions = unlabeled?.ids.length
    ? await rankSuggestions({
        classes: input.classes, ids: unlabeled.ids, probabilities: unlabeled.probabilities, features: unlabeled.features,
        labeledFeatures: labeled.features, n: Math.min(unlabeled.ids.length, input.maxSuggestions ?? 500), seed: input.seed,
      })
    : [];
  return { suggestions, audit };
}
