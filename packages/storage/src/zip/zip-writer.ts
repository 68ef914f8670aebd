import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { dosDateTime, FLAG, MAX_U16, MAX_U32, SIG } from './zip-format';

/** A file, or a folder when the name ends in `/` (and the data is empty): how empty folders survive. */
export interface ZipEntry {
  name: string;
  data: Buffer;
}

interface Written {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
}

/**
 * Store-only (uncompressed) zip records. Images, PNGs and float weights barely compress, and stored entries keep the
 * archive readable by the simplest reader (the dashboard's, in the browser). Names are UTF-8 (flag bit 11). Sizes
 * and CRCs go in the local header (each entry's bytes are in memory when written), so no data descriptors; an
 * archive past 4 GiB or 65,535 entries gets zip64 records for the offsets and the count.
 */
class ZipRecords {
  private readonly time: number;
  private readonly date: number;
  private readonly written: Written[] = [];
  private offset = 0;

  constructor(modified: Date) {
    ({ time: this.time, date: this.date } = dosDateTime(modified));
  }

  entry(e: ZipEntry): Buffer[] {
    if (e.data.length > MAX_U32) throw new Error(`zip entry ${e.name} is over 4 GiB`);
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(e.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(SIG.local, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(FLAG.utf8, 6);
    local.writeUInt16LE(0, 8); // method: stored
    local.writeUInt16LE(this.time, 10);
    local.writeUInt16LE(this.date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    this.written.push({ name, crc, size: e.data.length, offset: this.offset });
    this.offset += local.length + name.length + e.data.length;
    return [local, name, e.data];
  }

  /** The central directory and the end records. */
  end(): Buffer[] {
    const out: Buffer[] = [];
    const start = this.offset;
    for (const w of this.written) {
      const far = w.offset > MAX_U32;
      // zip64 extended information: only the local header offset can overflow (sizes are capped at 4 GiB).
      const extra = far ? Buffer.alloc(12) : Buffer.alloc(0);
      if (far) {
        extra.writeUInt16LE(0x0001, 0);
        extra.writeUInt16LE(8, 2);
        extra.writeBigUInt64LE(BigInt(w.offset), 4);
      }
      const central = Buffer.alloc(46);
      central.writeUInt32LE(SIG.central, 0);
      central.writeUInt16LE(far ? 0x032d : 0x0314, 4); // made by: Unix, 2.0 (4.5 with zip64)
      central.writeUInt16LE(far ? 45 : 20, 6);
      central.writeUInt16LE(FLAG.utf8, 8);
      central.writeUInt16LE(0, 10);
      central.writeUInt16LE(this.time, 12);
      central.writeUInt16LE(this.date, 14);
      central.writeUInt32LE(w.crc, 16);
      central.writeUInt32LE(w.size, 20);
      central.writeUInt32LE(w.size, 24);
      central.writeUInt16LE(w.name.length, 28);
      central.writeUInt16LE(extra.length, 30);
      // External attributes: a folder (name ending in '/', rwxr-xr-x, MS-DOS directory bit) or a regular file, rw-r--r--.
      central.writeUInt32LE(w.name[w.name.length - 1] === 0x2f ? (((0o40755 << 16) | 0x10) >>> 0) : (0o100644 << 16) >>> 0, 38);
      central.writeUInt32LE(far ? MAX_U32 : w.offset, 42);
      out.push(central, w.name, extra);
      this.offset += central.length + w.name.length + extra.length;
    }
    const count = this.written.length;
    const size = this.offset - start;
    const zip64 = count >= MAX_U16 || start > MAX_U32;
    if (zip64) {
      const rec = Buffer.alloc(56);
      rec.writeUInt32LE(SIG.zip64End, 0);
      rec.writeBigUInt64LE(44n, 4);
      rec.writeUInt16LE(45, 12);
      rec.writeUInt16LE(45, 14);
      rec.writeBigUInt64LE(BigInt(count), 24);
      rec.writeBigUInt64LE(BigInt(count), 32);
      rec.writeBigUInt64LE(BigInt(size), 40);
      rec.writeBigUInt64LE(BigInt(start), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(SIG.zip64Locator, 0);
      locator.writeBigUInt64LE(BigInt(this.offset), 8);
      locator.writeUInt32LE(1, 16);
      out.push(rec, locator);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(SIG.end, 0);
    end.writeUInt16LE(zip64 ? MAX_U16 : count, 8);
    end.writeUInt16LE(zip64 ? MAX_U16 : count, 10);
    end.writeUInt32LE(Math.min(size, MAX_U32), 12);
    end.writeUInt32LE(zip64 ? MAX_U32 : start, 16);
    out.push(end);
    return out;
  }
}

/** A whole archive in memory (small exports: a model bundle, a projector export). */
export function writeZip(entries: ZipEntry[], modified = new Date()): Buffer {
  const records = new ZipRecords(modified);
  const parts = entries.flatMap((e) => records.entry(e));
  return Buffer.concat([...parts, ...records.end()]);
}

/**
 * An archive streamed as its entries arrive: only one entry's bytes are held at a time, so a dataset of any size
 * leaves in bounded memory. The stream errors if `entries` throws.
 */
export function zipStream(entries: AsyncIterable<ZipEntry>, modified = new Date()): Readable {
  async function* generate() {
    const records = new ZipRecords(modified);
    for await (const e of entries) yield* records.entry(e);
    yield* records.end();
  }
  return Readable.from(generate(), { objectMode: false });
}
