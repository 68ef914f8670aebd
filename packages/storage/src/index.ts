export type { BlobStore, BlobStoreConfig, FsBlobStoreConfig, PutOptions, S3BlobStoreConfig } from './blob-store';
export { createBlobStore } from './create-blob-store';
export { FsBlobStore } from './blob-store.fs';
export { S3BlobStore } from './blob-store.s3';
export { BlobNotFoundError, BlobSizeMismatchError, InvalidBlobKeyError } from './errors';
export { assertValidKey } from './blob-key';
export { contentKey, sha256, sha256Hex } from './content-key';
export { streamToBuffer } from './stream-to-buffer';
export * from './zip';
