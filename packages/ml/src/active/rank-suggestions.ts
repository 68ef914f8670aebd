import type { FeatureMatrix } from '../heads/matrix';
import { createRng } from '../random';
import { embeddingSpace } from '../audit/embedding-space';
import { diverseOrder } from './diverse-order';
import { gradientEmbedding } from './gradient-embedding';

export interface SuggestionInput {
  classes: string[];
  /** The unlabelled images: ids, the model's probabilities [u x classes] and their embeddings [u x d]. */
  ids: string[];
  probabilities: Float32Array;
  features: FeatureMatrix;
  /** The labelled images' embeddings: the space is standardised on them, and "how new" is measured against them. */
  labeledFeatures: FeatureMatrix;
  /** How many to rank (the API serves prefixes of this list). */
  n: number;
  seed: number;
}

export interface Suggestion {
  imageId: string;
  rank: number;
  predicted: { label: string; probability: number };
  runnerUp: { label: string; probability: number };
  /** Cosine similarity to the most similar labelled image (low: a kind of image the labels do not cover yet). */
  nearestLabeledSimilarity: number;
  reason: string;
}

/**
 * "Label these next": unlabelled images in the order labelling them should teach the model most. Uncertainty alone
 * (lowest confidence first) returns runs of near-identical images the model is unsure about for the same reason, so
 * the order comes from a k-means++ seeding over gradient embeddings (BADGE, diverseOrder): long gradients are
 * uncertain images, distant ones are different images. Each suggestion says why in words.
 */
export async function rankSuggestions(input: SuggestionInput): Promise<Suggestion[]> {
  const { classes, ids, probabilities: p } = input;
  const c = classes.length;
  if (!ids.length) return [];
  const space = embeddingSpace(input.labeledFeatures);
  const z = space.project(input.features);
  const zl = space.project(input.labeledFeatures);
  const order = diverseOrder(gradientEmbedding(p, z, c), input.n, createRng(input.seed));
  return order.map((i, rank) => {
    const top = [...Array(c).keys()].sort((a, b) => p[i * c + b] - p[i * c + a]);
    const [first, second] = [top[0], top[1] ?? top[0]];
    const nearest = maxDot(z, i, zl);
    const predicted = { label: classes[first], probability: p[i * c + first] };
    const runnerUp = { label: classes[second], probability: p[i * c + second] };
    return { imageId: ids[i], rank: rank + 1, predicted, runnerUp, nearestLabeledSimilarity: nearest, reason: reasonFor(predicted, runnerUp, nearest) };
  });
}

function maxDot(z: FeatureMatrix, i: number, base: FeatureMatrix): number {
  let best = -1;
  for (let j = 0; j < base.rows; j++) {
    let d = 0;
    for (let k = 0; k < z.dim; k++) d += z.data[i * z.dim + k] * base.data[j * base.dim + k];
    if (d > best) best = d;
  }
  return best;
}

const pc = (x: number) => `${Math.round(x * 100)}%`;

function reasonFor(predicted: { label: string; probability: number }, runnerUp: { label: string; probability: number }, nearest: number): string {
  const unsure =
    predicted.probability - runnerUp.probability < 0.25
      ? `the model cannot decide between ${predicted.label} (${pc(predicted.probability)}) and ${runnerUp.label} (${pc(runnerUp.probability)})`
      : predicted.probability < 0.8
        ? `the model leans to ${predicted.label} but only at ${pc(predicted.probability)}`
        : `the model says ${predicted.label} (${pc(predicted.probability)})`;
  const novel = nearest < 0.5 ? 'and it looks unlike any labelled image' : nearest < 0.75 ? 'and few labelled images look like it' : 'and it differs from the suggestions ranked above it';
  return `${unsure}, ${novel}`;
}
