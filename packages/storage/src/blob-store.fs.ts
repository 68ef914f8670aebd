import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertValidKey, assertValidPrefix } from './blob-key';
import type { BlobStore, PutOptions } from './blob-store';
import { ByteCounter } from './byte-counter';
import { BlobNotFoundError, BlobSizeMismatchError } from './errors';

/** Temp files live under the root (same filesystem, so rename is atomic); keys cannot reach it (no leading dots). */
const TMP_DIR = '.tmp';

export class FsBlobStore implements BlobStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    const full = path.join(this.root, ...key.split('/'));
    // Belt and braces on top of the key rules: never touch anything outside the root.
    if (!full.startsWith(this.root + path.sep)) throw new Error(`key ${key} resolves outside the store root`);
    return full;
  }

  async put(key: string, body: Buffer | Readable, opts: PutOptions = {}): Promise<{ key: string; size: number }> {
    const target = this.pathOf(key);
    if (Buffer.isBuffer(body) && opts.size !== undefined && body.length !== opts.size) {
      throw new BlobSizeMismatchError(key, opts.size, body.length);
    }
    const tmpDir = path.join(this.root, TMP_DIR);
    await mkdir(tmpDir, { recursive: true });
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = path.join(tmpDir, randomUUID());
    const counter = new ByteCounter(key, opts.size);
    const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
    try {
      // flush: fsync before close, so the rename below never publishes a file whose bytes are not on disk yet.
      await pipeline(source, counter, createWriteStream(tmp, { flags: 'wx', flush: true }));
      await rename(tmp, target);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    return { key, size: counter.bytes };
  }

  async get(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    // Open first so a missing key rejects here instead of erroring the returned stream later.
    const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' || err.code === 'ENOTDIR' ? new BlobNotFoundError(key) : err;
    });
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw new BlobNotFoundError(key);
    }
    return handle.createReadStream();
  }

  async getBuffer(key: string): Promise<Buffer> {
    const file = this.pathOf(key);
    try {
      return await readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    const file = this.pathOf(key);
    try {
      const info = await stat(file);
      return info.isFile() ? { size: info.size } : undefined;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await unlink(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    assertValidPrefix(prefix);
    // Walk only the deepest directory the prefix names fully; the rest of the prefix filters names.
    const slash = prefix.lastIndexOf('/');
    const startDir = slash < 0 ? '' : prefix.slice(0, slash);
    const keys: string[] = [];
    await this.walk(startDir, keys);
    // UTF-8 byte order, the order S3 lists in, so both stores agree.
    const matching = keys.filter((k) => k.startsWith(prefix)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    yield* matching;
  }

  private async walk(relDir: string, out: string[]): Promise<void> {
    const abs = relDir === '' ? this.root : path.join(this.root, ...relDir.split('/'));
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw err;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // temp dir and anything that is not a valid key
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isDirectory()) await this.walk(rel, out);
      else if (entry.isFile()) out.push(rel);
    }
  }
}
