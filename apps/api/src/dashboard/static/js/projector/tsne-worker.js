import { tsne } from './tsne.js';

/** Runs t-SNE off the main thread; posts intermediate layouts so the plot animates while it converges. */
self.onmessage = (e) => {
  const { data, n, d, dims, perplexity, iterations, seed } = e.data;
  const started = performance.now();
  const y = tsne(data, n, d, {
    dims,
    perplexity,
    iterations,
    seed,
    onProgress: (iteration, coords) => self.postMessage({ type: 'progress', iteration, coords: Float64Array.from(coords) }),
  });
  self.postMessage({ type: 'done', iteration: iterations, coords: y, ms: performance.now() - started });
};
