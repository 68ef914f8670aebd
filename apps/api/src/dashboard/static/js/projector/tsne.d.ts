/** Types for the browser module tsne.js (used by the Node tests). */
export function tsne(
  data: ArrayLike<number>,
  n: number,
  d: number,
  opts?: { dims?: 2 | 3; perplexity?: number; iterations?: number; seed?: number; reportEvery?: number; onProgress?: (iteration: number, y: Float64Array) => void },
): Float64Array;
