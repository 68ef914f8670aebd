import type { FeatureMatrix } from '../heads/matrix';
import { cosineNeighbours } from '../neighbours/cosine-neighbours';

export interface OutlierCandidate {
  /** Row of the image in the queried matrix. */
  row: number;
  /** Mean cosine similarity to its nearest labelled images: how typical it is of the labelled data. */
  similarity: number;
  /** Class of its single nearest labelled image. */
  nearestClass: number;
}

/**
 * Images unlike every class: their `k` nearest labelled images (itself left out) are less similar to them than the
 * labelled images' own neighbours are to `percentile`% of the labelled images. So the cut-off adapts to how spread
 * out this dataset is rather than being one number for garments and photos alike. `labeledRows` are rows of `z` that
 * are labelled (with `labels` in the same order); every row of `z` is judged. `z` holds unit rows.
 */
export async function findOutliers(z: FeatureMatrix, labeledRows: number[], labels: Int32Array, opts: { k?: number; percentile?: number } = {}): Promise<{ cut: number; outliers: OutlierCandidate[] }> {
  const k = opts.k ?? 5;
  const base = { rows: labeledRows.length, dim: z.dim, data: new Float32Array(labeledRows.length * z.dim) };
  labeledRows.forEach((r, i) => base.data.set(z.data.subarray(r * z.dim, (r + 1) * z.dim), i * z.dim));
  // k + 1 so that a labelled image can drop itself.
  const nb = await cosineNeighbours(z, base, k + 1);
  const labeledAt = new Map(labeledRows.map((r, i) => [r, i]));
  const score = new Float64Array(z.rows);
  const nearest = new Int32Array(z.rows);
  for (let q = 0; q < z.rows; q++) {
    const self = labeledAt.get(q);
    let sum = 0;
    let used = 0;
    nearest[q] = -1;
    for (let m = 0; m < nb.k && used < k; m++) {
      const j = nb.index[q * nb.k + m];
      if (j === self) continue;
      if (nearest[q] < 0) nearest[q] = labels[j];
      sum += nb.similarity[q * nb.k + m];
      used++;
    }
    score[q] = used ? sum / used : 0;
  }
  const own = labeledRows.map((r) => score[r]).sort((a, b) => a - b);
  const cut = own.length ? own[Math.floor(((opts.percentile ?? 1) / 100) * (own.length - 1))] : -Infinity;
  const out: OutlierCandidate[] = [];
  for (let q = 0; q < z.rows; q++) if (score[q] < cut) out.push({ row: q, similarity: score[q], nearestClass: nearest[q] });
  return { cut, outliers: out.sort((a, b) => a.similarity - b.similarity || a.row - b.row) };
}
