/**
 * Where embeddings are remembered so a retrain only embeds new images. The service backs this with its blob store;
 * `MemoryEmbeddingCache` is the in-process LRU.
 */
export interface EmbeddingCache {
  get(key: string): Promise<Float32Array | undefined>;
  set(key: string, value: Float32Array): Promise<void>;
}

/** 'orig' | 'flip' | 'aug:<seed>:<i>' (the i-th seeded augmentation). */
export type EmbeddingView = 'orig' | 'flip' | `aug:${number}:${number}`;

export interface EmbeddingKeyParts {
  /** sha256 (hex) of the image bytes. */
  sha256: string;
  backbone: string;
  layers: readonly string[];
  inputSize: number;
  view: EmbeddingView;
  /** Preprocessing variant when it is not the default (resize policy, kernel, ...); omitted for the default. */
  variant?: string;
}

/** Deterministic cache key; also a safe blob-store path segment (`/`-free apart from the separators used here). */
export function embeddingCacheKey(p: EmbeddingKeyParts): string {
  const parts = [p.backbone, p.layers.join('+'), String(p.inputSize), p.view.replace(/:/g, '-')];
  if (p.variant) parts.push(p.variant);
  parts.push(p.sha256);
  return parts.join('/');
}

export function parseView(view: string): { kind: 'orig' } | { kind: 'flip' } | { kind: 'aug'; seed: number; index: number } {
  if (view === 'orig' || view === 'flip') return { kind: view };
  const m = /^aug:(\d+):(\d+)$/.exec(view);
  if (!m) throw new Error(`bad embedding view "${view}" (expected orig, flip or aug:<seed>:<i>)`);
  return { kind: 'aug', seed: Number(m[1]), index: Number(m[2]) };
}

/** In-memory LRU bounded by entry count (a 1280-d vector is 5 KB, so 100k entries ~ 0.5 GB). */
export class MemoryEmbeddingCache implements EmbeddingCache {
  private readonly map = new Map<string, Float32Array>();
  hits = 0;
  misses = 0;

  constructor(readonly maxEntries = 50_000) {}

  get size(): number {
    return this.map.size;
  }

  async get(key: string): Promise<Float32Array | undefined> {
    const v = this.map.get(key);
    if (v) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.map.delete(key);
      this.map.set(key, v);
      this.hits++;
    } else {
      this.misses++;
    }
    return v;
  }

  async set(key: string, value: Float32Array): Promise<void> {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }
}
