import type { Db, Prisma } from '@tailor/db';
import type { BlobStore } from '@tailor/storage';

/** Long enough for a blob write of the largest upload to S3 while the lock is held. */
const LOCK_TX = { maxWait: 10_000, timeout: 120_000 };

/**
 * Runs `fn` holding a transaction-scoped PostgreSQL advisory lock on one image blob key. Image blobs are
 * content-addressed and shared by every model that holds the same bytes, so "store the blob if missing + record the
 * image row" and "delete the blob if no row refers to it" must not interleave: without the lock an upload could find
 * the blob present just before a model deletion removes it, and record an image whose bytes are gone.
 */
export function withImageBlobLock<T>(db: Db, blobKey: string, fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${blobKey}, 0))`;
    return fn(tx);
  }, LOCK_TX);
}

/** Deletes each image blob that no image row (of any model) refers to any more; returns how many were deleted. */
export async function releaseImageBlobs(db: Db, blobs: BlobStore, blobKeys: Iterable<string>): Promise<number> {
  let deleted = 0;
  for (const blobKey of new Set(blobKeys)) {
    await withImageBlobLock(db, blobKey, async (tx) => {
      if ((await tx.image.count({ where: { blobKey } })) > 0) return;
      await blobs.delete(blobKey);
      deleted++;
    });
  }
  return deleted;
}

/** Deletes every blob under a prefix (a model's artifacts, a version's projector cache); returns how many. */
export async function deleteBlobPrefix(blobs: BlobStore, prefix: string): Promise<number> {
  const keys: string[] = [];
  for await (const key of blobs.list(prefix)) keys.push(key);
  for (const key of keys) await blobs.delete(key);
  return keys.length;
}
