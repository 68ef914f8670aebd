import type { BlobStore } from '@tailor/storage';
import { BlobNotFoundError } from '@tailor/storage';
import { createHash } from 'node:crypto';

/**
 * Embeddings cached in the blob store, keyed by (image sha256, backbone, layers, size, view) via the ML package's key,
 * so a retrain only embeds new images and any worker can reuse another's work.
 */
export class BlobEmbeddingCache {
  constructor(private readonly blobs: BlobStore) {}

  private key(k: string) {
    const h = createHash('sha256').update(k).digest('hex');
    return `embeddings/${h.slice(0, 2)}/${h}`;
  }

  async get(key: string): Promise<Float32Array | undefined> {
    try {
      const buf = await this.blobs.getBuffer(this.key(key));
      if (buf.byteLength % 4 !== 0) return undefined;
      return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    } catch (err) {
      if (err instanceof BlobNotFoundError) return undefined;
      throw err;
    }
  }

  async set(key: string, value: Float32Array): Promise<void> {
    await this.blobs.put(this.key(key), Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
}
