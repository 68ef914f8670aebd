import type { Config } from '@tailor/config';
import type { BlobStoreConfig } from '@tailor/storage';
import path from 'node:path';

/** S3 when S3_BUCKET is set, else the filesystem under the data dir. Shared by every process that opens the store. */
export function blobStoreConfig(config: Config): BlobStoreConfig {
  return config.S3_BUCKET
    ? {
        kind: 's3',
        bucket: config.S3_BUCKET,
        endpoint: config.S3_ENDPOINT,
        region: config.S3_REGION,
        accessKeyId: config.S3_ACCESS_KEY_ID,
        secretAccessKey: config.S3_SECRET_ACCESS_KEY,
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
        createBucket: true,
      }
    : { kind: 'fs', root: path.join(config.dataDir, 'blobs') };
}
