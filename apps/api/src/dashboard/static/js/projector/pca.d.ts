/** Types for the browser module pca.js (used by the Node tests). */
export function pca(
  data: ArrayLike<number>,
  n: number,
  d: number,
  k: number,
  opts?: { iterations?: number; seed?: number },
): { coords: Float64Array; explained: number[] };
