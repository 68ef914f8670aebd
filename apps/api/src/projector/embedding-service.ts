import { ConflictError, type Services } from '@tailor/core';
import { createHash } from 'node:crypto';
import { BlobNotFoundError, type BlobStore } from '@tailor/storage';
import { decodeEmbeddingSet, encodeEmbeddingSet, type EmbeddingSet } from './embedding-set';
import type { ProjectorGate } from './projector-gate';

/** What the projector needs of a loaded classifier: the features its OOD detector uses. */
export interface Embedder {
  embed(images: Buffer[]): Promise<Float32Array[]>;
  dispose(): Promise<void> | void;
}

/** Rebuilds a classifier from a version's artifact files (`manifest.json` + weights), as the prediction service does. */
export type EmbedderLoader = (files: Record<string, Buffer>) => Promise<Embedder>;

export interface EmbeddingServiceOptions {
  /** Images per forward pass: bounds memory while keeping the backbone's batches full. */
  batchSize?: number;
  /** Refuse models with more images than this (TAILOR_PROJECTOR_MAX_IMAGES). */
  maxImages?: number;
  /** Runs the computation of a set: one at a time per process, under a deadline. */
  gate?: ProjectorGate;
}

interface StoredArtifacts {
  /** Versions written before the manifest became a file kept it here. */
  manifest?: unknown;
  files: Array<{ name: string; size: number }>;
}

const PAGE = 1000;

/**
 * A version's embeddings of its model's images. Computed once with that version's classifier and cached in the blob
 * store under the version id; the cache remembers which images (ids and labels) it covers, so uploading or deleting
 * images recomputes instead of serving a stale set. Concurrent requests for the same set share one computation.
 */
export class EmbeddingService {
  private readonly inFlight = new Map<string, Promise<EmbeddingSet>>();

  constructor(
    private readonly services: Services,
    private readonly blobs: BlobStore,
    private readonly loader: EmbedderLoader,
    private readonly opts: EmbeddingServiceOptions = {},
  ) {}

  async get(accountId: string, modelId: string, versionRef: string) {
    const version = await this.services.versions.get(accountId, modelId, versionRef);
    const images = await this.listImages(accountId, modelId);
    const max = this.opts.maxImages ?? 10_000;
    if (images.length > max) throw new ConflictError(`The model has ${images.length} images; the projector handles at most ${max}`);
    const digest = createHash('sha256')
      .update(images.map((i) => `${i.id}\t${i.label}`).join('\n'))
      .digest('hex');
    const key = `projector/versions/${version.id}/embeddings.bin`;
    const flightKey = `${version.id}:${digest}`;
    let p = this.inFlight.get(flightKey);
    if (!p) {
      p = (async () => {
        const cached = await this.readCache(key);
        if (cached && cached.digest === digest) return cached;
        const compute = (signal?: AbortSignal) => this.compute(accountId, modelId, version, images, digest, signal);
        const set = this.opts.gate ? await this.opts.gate.run(compute) : await compute();
        await this.blobs.put(key, encodeEmbeddingSet(set), { contentType: 'application/octet-stream' });
        return set;
      })().finally(() => this.inFlight.delete(flightKey));
      this.inFlight.set(flightKey, p);
    }
    return { version, set: await p };
  }

  private async listImages(accountId: string, modelId: string) {
    const out: Array<{ id: string; label: string }> = [];
    let cursor: string | undefined;
    for (;;) {
      // Labelled images only: the projector colours points by class.
      const rows = await this.services.images.list(accountId, modelId, { limit: PAGE, cursor, labeled: true });
      out.push(...rows.flatMap((r) => (r.category ? [{ id: r.id, label: r.category.name }] : [])));
      if (rows.length < PAGE) return out;
      cursor = rows[rows.length - 1]!.id;
    }
  }

  private async readCache(key: string): Promise<EmbeddingSet | undefined> {
    try {
      return decodeEmbeddingSet(await this.blobs.getBuffer(key));
    } catch (err) {
      if (err instanceof BlobNotFoundError) return undefined;
      // An unreadable cache entry (older layout, partial write elsewhere) is recomputed, not served.
      if (err instanceof Error && /embedding set/.test(err.message)) return undefined;
      throw err;
    }
  }

  private async compute(
    accountId: string,
    modelId: string,
    version: { artifactPrefix: string; artifacts: unknown },
    items: Array<{ id: string; label: string }>,
    digest: string,
    signal?: AbortSignal,
  ): Promise<EmbeddingSet> {
    const stored = version.artifacts as StoredArtifacts;
    const files: Record<string, Buffer> = {};
    for (const f of stored.files) files[f.name] = await this.blobs.getBuffer(`${version.artifactPrefix}/${f.name}`);
    if (stored.manifest && !files['manifest.json']) files['manifest.json'] = Buffer.from(JSON.stringify(stored.manifest));
    const embedder = await this.loader(files);
    try {
      const batch = this.opts.batchSize ?? 32;
      const rows: Float32Array[] = [];
      for (let i = 0; i < items.length; i += batch) {
        signal?.throwIfAborted();
        const bytes: Buffer[] = [];
        for (const it of items.slice(i, i + batch)) {
          const found = await this.services.images.getBytes(accountId, modelId, it.id);
          if (!found) throw new ConflictError(`Image ${it.id} disappeared while computing embeddings; try again`);
          bytes.push(found.bytes);
        }
        rows.push(...(await embedder.embed(bytes)));
      }
      const dim = rows[0]?.length ?? 0;
      const vectors = new Float32Array(items.length * dim);
      rows.forEach((r, i) => vectors.set(r, i * dim));
      return { dim, digest, items, vectors };
    } finally {
      await embedder.dispose();
    }
  }
}
