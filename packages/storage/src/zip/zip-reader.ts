import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { crc32, inflateRaw } from 'node:zlib';
import { FLAG, MAX_U16, MAX_U32, METHOD, SIG, ZipFormatError } from './zip-format';

const inflate = promisify(inflateRaw);

/** Random access to an archive's bytes: a file on disk (big uploads) or a buffer (small bundles). */
export interface ZipSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

export interface ZipFileSource extends ZipSource {
  close(): Promise<void>;
}

export function bufferSource(buf: Buffer): ZipSource {
  return { size: buf.length, read: async (offset, length) => buf.subarray(offset, offset + length) };
}

export async function openZipFile(path: string): Promise<ZipFileSource> {
  const fh = await open(path, 'r');
  const { size } = await fh.stat();
  return {
    size,
    async read(offset, length) {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return bytesRead === length ? buf : buf.subarray(0, bytesRead);
    },
    close: () => fh.close(),
  };
}

/** One central-directory record: where an entry's bytes are and what they must decompress to. */
export interface ZipDirEntry {
  /** Slash-separated path inside the archive (backslashes, which some Windows tools write, turned into slashes). */
  name: string;
  isDirectory: boolean;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export interface ZipDirectoryOptions {
  /** Refuse archives listing more entries than this (default 100,000). */
  maxEntries?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Names are UTF-8 when flagged; unflagged ones are CP437 in theory, and in practice mostly ASCII or UTF-8 anyway. */
function decodeName(raw: Buffer, flags: number): string {
  if (flags & FLAG.utf8) return raw.toString('utf8');
  try {
    return utf8.decode(raw);
  } catch {
    return raw.toString('latin1');
  }
}

/** A path that stays inside the folder it is extracted to: no absolute paths, drive letters or `..` segments. */
function checkPath(name: string): string {
  const p = name.replace(/\\/g, '/');
  if (!p || p.startsWith('/') || /^[a-zA-Z]:/.test(p) || p.split('/').includes('..') || p.includes('\0')) {
    throw new ZipFormatError(`unsafe path in zip: ${JSON.stringify(name.slice(0, 200))}`);
  }
  return p;
}

/** The end-of-central-directory record, searched from the end (it may be followed by a comment of up to 64 KiB). */
async function findEnd(src: ZipSource): Promise<{ count: number; cdSize: number; cdOffset: number }> {
  if (src.size < 22) throw new ZipFormatError('not a zip archive (too short)');
  const tailLength = Math.min(src.size, 22 + MAX_U16);
  const tailStart = src.size - tailLength;
  const tail = await src.read(tailStart, tailLength);
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== SIG.end || i + 22 + tail.readUInt16LE(i + 20) !== tail.length) continue;
    let count = tail.readUInt16LE(i + 10);
    let cdSize = tail.readUInt32LE(i + 12);
    let cdOffset = tail.readUInt32LE(i + 16);
    if (count === MAX_U16 || cdSize === MAX_U32 || cdOffset === MAX_U32) {
      const locatorAt = tailStart + i - 20;
      const locator = locatorAt >= 0 ? await src.read(locatorAt, 20) : Buffer.alloc(0);
      if (locator.length === 20 && locator.readUInt32LE(0) === SIG.zip64Locator) {
        const recAt = Number(locator.readBigUInt64LE(8));
        const rec = await src.read(recAt, 56);
        if (rec.length < 56 || rec.readUInt32LE(0) !== SIG.zip64End) throw new ZipFormatError('corrupt zip64 end record');
        count = Number(rec.readBigUInt64LE(32));
        cdSize = Number(rec.readBigUInt64LE(40));
        cdOffset = Number(rec.readBigUInt64LE(48));
      }
    }
    if (cdOffset + cdSize > src.size) throw new ZipFormatError('corrupt zip (the central directory lies past the end: a truncated file?)');
    return { count, cdSize, cdOffset };
  }
  throw new ZipFormatError('not a zip archive (no end of central directory record: not a zip, or truncated)');
}

/** zip64 extended information: the 64-bit values of the fields the classic record set to all ones, in order. */
function applyZip64(extra: Buffer, e: { size: number; compressedSize: number; localOffset: number }) {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const next = () => {
        if (q + 8 > p + 4 + len) throw new ZipFormatError('corrupt zip64 extra field');
        const v = Number(extra.readBigUInt64LE(q));
        q += 8;
        return v;
      };
      if (e.size === MAX_U32) e.size = next();
      if (e.compressedSize === MAX_U32) e.compressedSize = next();
      if (e.localOffset === MAX_U32) e.localOffset = next();
      return;
    }
    p += 4 + len;
  }
}

/** Lists the archive from its central directory (the authority: local headers may defer sizes to data descriptors). */
export async function readZipDirectory(src: ZipSource, opts: ZipDirectoryOptions = {}): Promise<ZipDirEntry[]> {
  const maxEntries = opts.maxEntries ?? 100_000;
  const { count, cdSize, cdOffset } = await findEnd(src);
  if (count > maxEntries) throw new ZipFormatError(`the zip lists ${count} entries; the limit is ${maxEntries}`);
  const cd = await src.read(cdOffset, cdSize);
  const entries: ZipDirEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG.central) throw new ZipFormatError('corrupt zip central directory');
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new ZipFormatError('corrupt zip central directory');
    const raw = cd.subarray(p + 46, p + 46 + nameLen);
    const e = {
      crc: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      localOffset: cd.readUInt32LE(p + 42),
    };
    applyZip64(cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), e);
    const name = checkPath(decodeName(raw, flags));
    if (flags & FLAG.encrypted) throw new ZipFormatError(`${name} is encrypted; encrypted zips are not supported`);
    const isDirectory = name.endsWith('/');
    if (!isDirectory && method !== METHOD.stored && method !== METHOD.deflate) {
      throw new ZipFormatError(`${name} uses compression method ${method}; only stored and deflate are supported`);
    }
    entries.push({ name, isDirectory, method, ...e });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

export interface ReadEntryOptions {
  /** Refuse entries that decompress to more than this many bytes (checked before and while inflating). */
  maxBytes?: number;
}

/** One entry's bytes, decompressed and checked against its CRC-32 and size. */
export async function readZipEntry(src: ZipSource, e: ZipDirEntry, opts: ReadEntryOptions = {}): Promise<Buffer> {
  const maxBytes = opts.maxBytes ?? Number.MAX_SAFE_INTEGER;
  if (e.size > maxBytes) throw new ZipFormatError(`${e.name} is ${e.size} bytes; the limit is ${maxBytes}`);
  const header = await src.read(e.localOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== SIG.local) throw new ZipFormatError(`corrupt zip: no local header for ${e.name}`);
  const start = e.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + e.compressedSize > src.size) throw new ZipFormatError(`corrupt zip: ${e.name} runs past the end of the file`);
  const packed = await src.read(start, e.compressedSize);
  let data: Buffer;
  if (e.method === METHOD.stored) data = packed;
  else {
    try {
      // The declared size may lie (a zip bomb): the inflater itself stops at the limit.
      data = await inflate(packed, { maxOutputLength: Math.max(1, Math.min(maxBytes, e.size + 1)) });
    } catch (err) {
      throw new ZipFormatError(`${e.name} does not decompress (${(err as Error).message})`);
    }
  }
  if (data.length !== e.size) throw new ZipFormatError(`${e.name} decompresses to ${data.length} bytes, not the ${e.size} its header declares`);
  if ((crc32(data) >>> 0) !== e.crc) throw new ZipFormatError(`${e.name} fails its CRC check (corrupt zip)`);
  return data;
}

/** Every file of a small archive, by path (directories left out). */
export async function unzipToMap(buf: Buffer, opts: ZipDirectoryOptions & ReadEntryOptions = {}): Promise<Map<string, Buffer>> {
  const src = bufferSource(buf);
  const out = new Map<string, Buffer>();
  for (const e of await readZipDirectory(src, opts)) if (!e.isDirectory) out.set(e.name, await readZipEntry(src, e, opts));
  return out;
}
