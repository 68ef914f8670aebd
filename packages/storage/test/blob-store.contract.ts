import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobNotFoundError, BlobSizeMismatchError, InvalidBlobKeyError, sha256Hex, streamToBuffer, type BlobStore } from '../src';

/** Reads `data` back as a stream of `chunkSize` pieces, optionally failing after `failAfter` bytes. */
function chunked(data: Buffer, chunkSize: number, failAfter?: number): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (failAfter !== undefined && offset >= failAfter) {
        this.destroy(new Error('source stream broke'));
        return;
      }
      if (offset >= data.length) {
        this.push(null);
        return;
      }
      const end = Math.min(offset + chunkSize, data.length);
      this.push(data.subarray(offset, end));
      offset = end;
    },
  });
}

async function collect(iter: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of iter) out.push(k);
  return out;
}

export const INVALID_KEYS = ['', '/abs/x', '../escape', 'a/../../b', 'a/./b', 'a//b', 'a/', '.hidden', 'a\\b', 'a\u0000b'];

/**
 * The behaviour every BlobStore must have. `open` gives a fresh, empty store per test file; each test uses its own
 * key namespace so they do not interfere.
 */
export function blobStoreContract(open: () => Promise<{ store: BlobStore; teardown(): Promise<void> }>): void {
  let store: BlobStore;
  let teardown: () => Promise<void>;

  beforeAll(async () => {
    ({ store, teardown } = await open());
  });
  afterAll(async () => {
    await store?.close?.();
    await teardown?.();
  });

  test('buffer round trip is byte-for-byte, head reports the size', async () => {
    const data = randomBytes(70_001);
    await expect(store.put('buf/one.bin', data, { contentType: 'application/octet-stream' })).resolves.toEqual({ key: 'buf/one.bin', size: data.length });
    expect((await store.getBuffer('buf/one.bin')).equals(data)).toBe(true);
    expect((await streamToBuffer(await store.get('buf/one.bin'))).equals(data)).toBe(true);
    await expect(store.head('buf/one.bin')).resolves.toEqual({ size: data.length });
  });

  test('empty object round trip', async () => {
    await expect(store.put('buf/empty', Buffer.alloc(0))).resolves.toEqual({ key: 'buf/empty', size: 0 });
    expect((await store.getBuffer('buf/empty')).length).toBe(0);
    await expect(store.head('buf/empty')).resolves.toEqual({ size: 0 });
  });

  test('12 MB stream round trip (multipart-sized) is byte-for-byte', async () => {
    const data = randomBytes(12 * 1024 * 1024 + 123);
    const put = await store.put('stream/big.bin', chunked(data, 64 * 1024));
    expect(put).toEqual({ key: 'stream/big.bin', size: data.length });
    await expect(store.head('stream/big.bin')).resolves.toEqual({ size: data.length });
    const back = await streamToBuffer(await store.get('stream/big.bin'));
    expect(back.length).toBe(data.length);
    expect(sha256Hex(back)).toBe(sha256Hex(data));
    expect(back.equals(data)).toBe(true);
  });

  test('small stream round trip, with a matching declared size', async () => {
    const data = randomBytes(1000);
    await expect(store.put('stream/small', chunked(data, 7), { size: 1000 })).resolves.toEqual({ key: 'stream/small', size: 1000 });
    expect((await store.getBuffer('stream/small')).equals(data)).toBe(true);
  });

  test('put overwrites', async () => {
    await store.put('over/x', Buffer.from('first version'));
    await store.put('over/x', Buffer.from('second'));
    expect((await store.getBuffer('over/x')).toString()).toBe('second');
    await expect(store.head('over/x')).resolves.toEqual({ size: 6 });
  });

  test('list returns every key with a string prefix (order not part of the contract)', async () => {
    const keys = ['ls/a/1', 'ls/a/2', 'ls/a/b/3', 'ls/ab/4', 'ls/b/5', 'ls/a-c'];
    for (const k of keys) await store.put(k, Buffer.from(k));
    const sorted = async (prefix: string) => (await collect(store.list(prefix))).sort();
    expect(await sorted('ls/a/')).toEqual(['ls/a/1', 'ls/a/2', 'ls/a/b/3']);
    expect(await sorted('ls/a')).toEqual(['ls/a-c', 'ls/a/1', 'ls/a/2', 'ls/a/b/3', 'ls/ab/4']);
    expect(await sorted('ls/')).toEqual(['ls/a-c', 'ls/a/1', 'ls/a/2', 'ls/a/b/3', 'ls/ab/4', 'ls/b/5']);
    expect(await sorted('ls/zzz/')).toEqual([]);
    expect(await sorted('nothing-here')).toEqual([]);
    expect(await sorted('')).toEqual(expect.arrayContaining(keys));
  });

  test('delete removes and is idempotent', async () => {
    await store.put('del/x', Buffer.from('bye'));
    await store.delete('del/x');
    await expect(store.head('del/x')).resolves.toBeUndefined();
    await expect(store.getBuffer('del/x')).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store.delete('del/x')).resolves.toBeUndefined();
    await expect(store.delete('del/never/existed')).resolves.toBeUndefined();
    expect(await collect(store.list('del/'))).toEqual([]);
  });

  test('missing key: get and getBuffer reject with BlobNotFoundError, head is undefined', async () => {
    await expect(store.get('missing/key')).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(store.getBuffer('missing/key')).rejects.toMatchObject({ name: 'BlobNotFoundError', key: 'missing/key' });
    await expect(store.head('missing/key')).resolves.toBeUndefined();
  });

  test.each(INVALID_KEYS.map((k) => [JSON.stringify(k), k]))('invalid key %s is rejected by every operation', async (_label, key) => {
    await expect(store.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.get(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.getBuffer(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.head(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidBlobKeyError);
  });

  test('list rejects an escaping prefix', async () => {
    await expect(collect(store.list('../'))).rejects.toBeInstanceOf(InvalidBlobKeyError);
    await expect(collect(store.list('/'))).rejects.toBeInstanceOf(InvalidBlobKeyError);
  });

  test('a stream that fails early leaves no object', async () => {
    await expect(store.put('fail/small', chunked(randomBytes(10_000), 1000, 3000))).rejects.toThrow('source stream broke');
    await expect(store.head('fail/small')).resolves.toBeUndefined();
    expect(await collect(store.list('fail/'))).toEqual([]);
  });

  test('a stream that fails after several MB (multipart under way) leaves no object', async () => {
    await expect(store.put('fail/big', chunked(randomBytes(12 * 1024 * 1024), 64 * 1024, 11 * 1024 * 1024))).rejects.toThrow('source stream broke');
    await expect(store.head('fail/big')).resolves.toBeUndefined();
    expect(await collect(store.list('fail/'))).toEqual([]);
  });

  test('a failed overwrite keeps the previous object intact', async () => {
    const original = randomBytes(5000);
    await store.put('fail/keep', original);
    await expect(store.put('fail/keep', chunked(randomBytes(10_000), 1000, 4000))).rejects.toThrow('source stream broke');
    expect((await store.getBuffer('fail/keep')).equals(original)).toBe(true);
  });

  test('a declared size that does not match stores nothing', async () => {
    await expect(store.put('size/short', chunked(randomBytes(100), 10), { size: 101 })).rejects.toBeInstanceOf(BlobSizeMismatchError);
    await expect(store.put('size/long', chunked(randomBytes(100), 10), { size: 99 })).rejects.toBeInstanceOf(BlobSizeMismatchError);
    await expect(store.put('size/buf', randomBytes(100), { size: 50 })).rejects.toBeInstanceOf(BlobSizeMismatchError);
    expect(await collect(store.list('size/'))).toEqual([]);
  });
}
