export {
  createEmbedder,
  type Embedder,
  type EmbedderOptions,
  type EmbedInput,
  type EmbedOptions,
  type GreyPixels,
} from './create-embedder';
export {
  embeddingCacheKey,
  MemoryEmbeddingCache,
  parseView,
  type EmbeddingCache,
  type EmbeddingKeyParts,
  type EmbeddingView,
} from './embedding-cache';
export { createFeatureEngine, type EngineName, type FeatureEngine } from './feature-engine';
