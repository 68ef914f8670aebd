import type { Config } from '@tailor/config';
import { createBlobStore, type BlobStore } from '@tailor/storage';
import path from 'node:path';

/**
 * The API's services keep their blob store private, so the projector opens one on the same configuration (the same
 * bucket or directory the server's infrastructure uses) to read artifacts and to cache embeddings.
 */
export function openProjectorBlobStore(config: Config): BlobStore {
  return config.S3_BUCKET
    ? createBlobStore({
        kind: 's3',
        bucket: config.S3_BUCKET,
        endpoint: config.S3_ENDPOINT,
        region: config.S3_REGION,
        accessKeyId: config.S3_ACCESS_KEY_ID,
        secretAccessKey: config.S3_SECRET_ACCESS_KEY,
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
      })
    : createBlobStore({ kind: 'fs', root: path.join(config.dataDir, 'blobs') });
}
