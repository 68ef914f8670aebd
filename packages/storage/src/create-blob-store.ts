import type { BlobStore, BlobStoreConfig } from './blob-store';
import { FsBlobStore } from './blob-store.fs';
import { S3BlobStore } from './blob-store.s3';

export function createBlobStore(config: BlobStoreConfig): BlobStore {
  switch (config.kind) {
    case 'fs':
      return new FsBlobStore(config.root);
    case 's3':
      return new S3BlobStore(config);
  }
}
