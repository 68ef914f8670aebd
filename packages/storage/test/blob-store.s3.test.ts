import { createBlobStore } from '../src';
import { startS3Server, type S3TestServer } from '../../../test/support/s3-server';
import { blobStoreContract } from './blob-store.contract';

let server: S3TestServer;

describe('S3 BlobStore against a real s3rver', () => {
  blobStoreContract(async () => {
    server = await startS3Server();
    const store = createBlobStore({
      kind: 's3',
      endpoint: server.endpoint,
      region: server.region,
      bucket: server.bucket,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
      forcePathStyle: true,
    });
    return { store, teardown: () => server.stop() };
  });

  test('list pages through more keys than one page holds', async () => {
    // s3rver walks its directory tree rather than sorting keys, so Marker paging is only exact there when walk order
    // equals byte order, as with these flat keys (AWS itself always lists in byte order).
    const store = createBlobStore({
      kind: 's3',
      endpoint: server.endpoint,
      region: server.region,
      bucket: server.bucket,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
      forcePathStyle: true,
      listPageSize: 2,
    });
    try {
      const keys = Array.from({ length: 7 }, (_, i) => `page/k${i}`);
      for (const k of keys) await store.put(k, Buffer.from(k));
      const listed: string[] = [];
      for await (const k of store.list('page/')) listed.push(k);
      expect(listed).toEqual(keys);
    } finally {
      await store.close?.();
    }
  });

  test('createBucket makes a missing bucket on first use', async () => {
    const store = createBlobStore({
      kind: 's3',
      endpoint: server.endpoint,
      region: server.region,
      bucket: 'created-on-demand',
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
      forcePathStyle: true,
      createBucket: true,
    });
    try {
      await store.put('x/y', Buffer.from('made'));
      expect((await store.getBuffer('x/y')).toString()).toBe('made');
    } finally {
      await store.close?.();
    }
  });

  test('without createBucket, a missing bucket is an error, not a silent success', async () => {
    const store = createBlobStore({
      kind: 's3',
      endpoint: server.endpoint,
      region: server.region,
      bucket: 'does-not-exist',
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
      forcePathStyle: true,
    });
    try {
      await expect(store.put('x/y', Buffer.from('lost'))).rejects.toMatchObject({ name: 'NoSuchBucket' });
    } finally {
      await store.close?.();
    }
  });
});
