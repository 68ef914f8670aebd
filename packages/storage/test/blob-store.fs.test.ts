import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createBlobStore } from '../src';
import { blobStoreContract } from './blob-store.contract';

let root: string;

describe('filesystem BlobStore', () => {
  blobStoreContract(async () => {
    const parent = await mkdtemp(path.join(os.tmpdir(), 'tailor-fs-store-'));
    root = path.join(parent, 'blobs'); // a root that does not exist yet: the store must create it
    return { store: createBlobStore({ kind: 'fs', root }), teardown: () => rm(parent, { recursive: true, force: true }) };
  });

  test('keys map to files under the root; failed writes leave no temp files behind', async () => {
    const store = createBlobStore({ kind: 'fs', root });
    await store.put('layout/a/b.txt', Buffer.from('hello'));
    expect(await readdir(path.join(root, 'layout', 'a'))).toEqual(['b.txt']);
    const broken = new Readable({
      read() {
        this.destroy(new Error('boom'));
      },
    });
    await expect(store.put('layout/a/c.txt', broken)).rejects.toThrow('boom');
    expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
    expect(await readdir(path.join(root, 'layout', 'a'))).toEqual(['b.txt']);
  });

  test('an escaping key writes nothing outside the root', async () => {
    const store = createBlobStore({ kind: 'fs', root });
    await expect(store.put('../outside.txt', Buffer.from('x'))).rejects.toThrow();
    expect(await readdir(path.dirname(root))).toEqual(['blobs']);
  });

  test('list yields keys in UTF-8 byte order', async () => {
    const store = createBlobStore({ kind: 'fs', root });
    for (const k of ['order/a/1', 'order/a-c', 'order/ab', 'order/B']) await store.put(k, Buffer.from(k));
    const keys: string[] = [];
    for await (const k of store.list('order/')) keys.push(k);
    expect(keys).toEqual(['order/B', 'order/a-c', 'order/a/1', 'order/ab']);
  });

  test('list ignores stray dot-files (e.g. an editor swap file) that are not valid keys', async () => {
    const store = createBlobStore({ kind: 'fs', root });
    await store.put('dots/real', Buffer.from('1'));
    await writeFile(path.join(root, 'dots', '.swp'), 'x');
    const keys: string[] = [];
    for await (const k of store.list('dots/')) keys.push(k);
    expect(keys).toEqual(['dots/real']);
  });
});
