import type { FeatureMatrix } from '../heads/matrix';
import { cosineNeighbours } from '../neighbours/cosine-neighbours';

export interface DuplicateGroup {
  /** 'exact': the same pixels (re-encoded or re-uploaded files); 'near': copies that differ a little. */
  kind: 'exact' | 'near';
  /** Rows of the images (into the matrix given), in row order. */
  rows: number[];
  /** Lowest similarity between a member and the one it was matched with (1 for exact copies). */
  similarity: number;
}

/**
 * Groups of images that are copies of each other: the same decoded pixels (fingerprints), or embeddings whose cosine
 * is at least `nearThreshold` (measured by bench/dev/duplicate-probe.ts: a JPEG re-encode, a resize or a 10% brightness
 * change of an image stays above it, the closest distinct images of Fashion-MNIST and CIFAR-10 mostly fall below).
 * `z` holds unit rows (see embeddingSpace).
 */
export async function findDuplicates(z: FeatureMatrix, fingerprints: ReadonlyArray<string | undefined>, nearThreshold: number): Promise<DuplicateGroup[]> {
  const n = z.rows;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const minSim = new Float64Array(n).fill(1);
  const join = (a: number, b: number, sim: number) => {
    const [ra, rb] = [find(a), find(b)];
    const low = Math.min(minSim[ra], minSim[rb], sim);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    minSim[find(a)] = low;
  };
  const byPrint = new Map<string, number>();
  fingerprints.forEach((f, i) => {
    if (f === undefined) return;
    const first = byPrint.get(f);
    if (first === undefined) byPrint.set(f, i);
    else join(first, i, 1);
  });
  const nb = await cosineNeighbours(z, z, 5, { excludeSelf: true });
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < nb.k; m++) {
      const s = nb.similarity[i * nb.k + m];
      if (s < nearThreshold) break;
      join(i, nb.index[i * nb.k + m], s);
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  }
  return [...groups.entries()]
    .filter(([, rows]) => rows.length > 1)
    .map(([root, rows]) => {
      const prints = new Set(rows.map((r) => fingerprints[r]));
      const exact = prints.size === 1 && fingerprints[rows[0]] !== undefined;
      return { kind: exact ? ('exact' as const) : ('near' as const), rows, similarity: exact ? 1 : minSim[root] };
    })
    .sort((a, b) => b.similarity - a.similarity || a.rows[0] - b.rows[0]);
}
