import type { FeatureMatrix } from '../heads/matrix';
import { cosineNeighbours } from '../neighbours/cosine-neighbours';
import { classBalance, type ClassBalance } from './class-balance';
import { findDuplicates } from './duplicates';
import { embeddingSpace } from './embedding-space';
import type { ImageFingerprint } from './image-fingerprint';
import { findLabelErrors } from './label-errors';
import { findOutliers } from './outliers';
import { THUMB } from './image-fingerprint';

export interface AuditInput {
  classes: string[];
  labeled: {
    ids: string[];
    labels: Int32Array;
    /** Out-of-fold probabilities [n x classes]: each from a model that did not see that image's label. */
    oof: Float32Array;
    /** Embeddings [n x d] (any scale). */
    features: FeatureMatrix;
    fingerprints?: Array<ImageFingerprint | undefined>;
  };
  /** Unlabelled images, searched for copies of labelled ones and for outliers. */
  unlabeled?: { ids: string[]; features: FeatureMatrix; fingerprints?: Array<ImageFingerprint | undefined> };
  /** Most label errors / outliers listed (default 200 each). */
  limit?: number;
}

export interface DatasetAudit {
  /** Likely wrong labels, most likely first. */
  labelErrors: Array<{ imageId: string; label: string; suggestedLabel: string; confidence: number; labelProbability: number }>;
  /** Copies: 'exact' (same pixels) or 'near'; labelled copies in different classes are label conflicts. */
  duplicates: Array<{ kind: 'exact' | 'near'; similarity: number; conflict: boolean; images: Array<{ imageId: string; label: string | null }> }>;
  /** Images unlike every class, least typical first. */
  outliers: Array<{ imageId: string; label: string | null; similarity: number; nearestLabel: string; threshold: number }>;
  classBalance: ClassBalance;
  method: { labelErrors: string; duplicates: string; outliers: string };
}

/**
 * Near-copy cut-off on 16x16 thumbnails (bench/dev/duplicate-probe.ts): re-encoded, resized or brightened copies of
 * Fashion-MNIST and CIFAR-10 images stay above it; distinct images' nearest neighbours fall below it for all but a
 * few near-identical garments (which a person would call copies too).
 */
export const NEAR_DUPLICATE_THUMBNAIL_COSINE = 0.97;

/** The dataset audit: label errors, copies, outliers and class balance, from what a training run already has. */
export async function auditDataset(input: AuditInput): Promise<DatasetAudit> {
  const { classes, labeled } = input;
  const limit = input.limit ?? 200;
  const unl = input.unlabeled;
  const n = labeled.ids.length;
  const u = unl?.ids.length ?? 0;
  const ids = [...labeled.ids, ...(unl?.ids ?? [])];
  const labelOf = (row: number) => (row < n ? classes[labeled.labels[row]] : null);

  const space = embeddingSpace(labeled.features);
  const z = stackRows(space.project(labeled.features), unl ? space.project(unl.features) : undefined);
  const zl = { rows: n, dim: z.dim, data: z.data.subarray(0, n * z.dim) };
  const nb = await cosineNeighbours(zl, zl, 10, { excludeSelf: true });
  const errors = findLabelErrors(labeled.oof, labeled.labels, classes.length, { neighbours: nb }).slice(0, limit);

  const prints = [...(labeled.fingerprints ?? new Array(n).fill(undefined)), ...(unl?.fingerprints ?? new Array(u).fill(undefined))];
  const thumbs = { rows: n + u, dim: THUMB * THUMB, data: new Float32Array((n + u) * THUMB * THUMB) };
  prints.forEach((p, i) => p && thumbs.data.set(p.thumbnail, i * THUMB * THUMB));
  const groups = await findDuplicates(thumbs, prints.map((p) => p?.pixels), NEAR_DUPLICATE_THUMBNAIL_COSINE);

  const { cut, outliers } = await findOutliers(z, Array.from({ length: n }, (_, i) => i), labeled.labels, { percentile: 1 });
  const counts = classes.map((label, k) => ({ label, count: labeled.labels.filter((l) => l === k).length }));
  return {
    labelErrors: errors.map((e) => ({ imageId: labeled.ids[e.row], label: classes[e.given], suggestedLabel: classes[e.suggested], confidence: e.confidence, labelProbability: e.givenProbability })),
    duplicates: groups.map((g) => {
      const labels = new Set(g.rows.filter((r) => r < n).map(labelOf));
      return { kind: g.kind, similarity: g.similarity, conflict: labels.size > 1, images: g.rows.map((r) => ({ imageId: ids[r], label: labelOf(r) })) };
    }),
    outliers: outliers.slice(0, limit).map((o) => ({ imageId: ids[o.row], label: labelOf(o.row), similarity: o.similarity, nearestLabel: classes[o.nearestClass], threshold: cut })),
    classBalance: classBalance(counts),
    method: {
      labelErrors: 'out-of-fold class probabilities averaged with the labels of the 10 most similar labelled images; ranked by the probability left to the given label',
      duplicates: `the same decoded pixels (exact), or 16x16 greyscale thumbnails with cosine >= ${NEAR_DUPLICATE_THUMBNAIL_COSINE} (near)`,
      outliers: 'mean cosine similarity to the 5 nearest labelled images below that of 99% of the labelled images',
    },
  };
}

function stackRows(a: FeatureMatrix, b?: FeatureMatrix): FeatureMatrix {
  if (!b) return a;
  const data = new Float32Array((a.rows + b.rows) * a.dim);
  data.set(a.data);
  data.set(b.data, a.rows * a.dim);
  return { rows: a.rows + b.rows, dim: a.dim, data };
}
