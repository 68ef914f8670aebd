import type { FeatureMatrix } from '../heads/matrix';
import { applyStandardizer, fitStandardizer } from '../heads/standardizer';
import { unitRows } from '../neighbours/cosine-neighbours';

/**
 * Where images are compared: features standardised with a reference set's mean and spread (each pooled channel
 * counts alike, whatever its scale), then scaled to unit length, so a dot product is a cosine similarity.
 */
export interface EmbeddingSpace {
  project(m: FeatureMatrix): FeatureMatrix;
}

export function embeddingSpace(reference: FeatureMatrix): EmbeddingSpace {
  const s = fitStandardizer(reference);
  const zero = new Float32Array(reference.dim);
  return { project: (m) => unitRows(applyStandardizer(m, s), zero) };
}
