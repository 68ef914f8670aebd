import type { Readable } from 'node:stream';

export interface PutOptions {
  contentType?: string;
  /** When given, the write fails (and stores nothing) unless the body has exactly this many bytes. */
  size?: number;
}

/** Where blobs (uploaded images, model artifacts) live; one interface, filesystem and S3 behind it. */
export interface BlobStore {
  /** Atomic: on any error (including a failing body stream) nothing is stored under `key`. Overwrites. */
  put(key: string, body: Buffer | Readable, opts?: PutOptions): Promise<{ key: string; size: number }>;
  /** Streams the object; rejects with BlobNotFoundError when it does not exist. */
  get(key: string): Promise<Readable>;
  getBuffer(key: string): Promise<Buffer>;
  head(key: string): Promise<{ size: number } | undefined>;
  /** Idempotent: deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  /**
   * Every key starting with `prefix` (a plain string prefix, as in S3). Order is not part of the contract: AWS S3
   * and the filesystem store give UTF-8 byte order, s3rver its directory-walk order.
   */
  list(prefix: string): AsyncIterable<string>;
  close?(): Promise<void>;
}

export interface FsBlobStoreConfig {
  kind: 'fs';
  root: string;
}

export interface S3BlobStoreConfig {
  kind: 's3';
  /** Omit for AWS; set for s3rver, MinIO, Ceph, R2 (then forcePathStyle is usually needed). */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle?: boolean;
  /** Create the bucket on first use when it does not exist. */
  createBucket?: boolean;
  /** Page size of ListObjects (max 1000); smaller only to exercise paging. */
  listPageSize?: number;
  /** Multipart part size for streamed uploads, bytes (S3 minimum 5 MiB). */
  partSize?: number;
}

export type BlobStoreConfig = FsBlobStoreConfig | S3BlobStoreConfig;
