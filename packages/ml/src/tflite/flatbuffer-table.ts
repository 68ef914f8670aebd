import { ByteBuffer } from 'flatbuffers';

/**
 * A thin cursor over one flatbuffer table. The TFLite schema is large and we need ~40 fields of it, so reading them
 * by field index (vtable slot = 4 + 2 * index) is smaller and easier to audit than generated code.
 */
export class FbTable {
  constructor(readonly bb: ByteBuffer, readonly pos: number) {}

  static root(bytes: Uint8Array): FbTable {
    const bb = new ByteBuffer(bytes);
    return new FbTable(bb, bb.readInt32(bb.position()) + bb.position());
  }

  private slot(field: number): number {
    return this.bb.__offset(this.pos, 4 + 2 * field);
  }

  has(field: number): boolean {
    return this.slot(field) !== 0;
  }

  uint8(field: number, dflt = 0): number {
    const o = this.slot(field);
    return o ? this.bb.readUint8(this.pos + o) : dflt;
  }

  int8(field: number, dflt = 0): number {
    const o = this.slot(field);
    return o ? this.bb.readInt8(this.pos + o) : dflt;
  }

  int32(field: number, dflt = 0): number {
    const o = this.slot(field);
    return o ? this.bb.readInt32(this.pos + o) : dflt;
  }

  uint32(field: number, dflt = 0): number {
    const o = this.slot(field);
    return o ? this.bb.readUint32(this.pos + o) : dflt;
  }

  float32(field: number, dflt = 0): number {
    const o = this.slot(field);
    return o ? this.bb.readFloat32(this.pos + o) : dflt;
  }

  string(field: number): string | undefined {
    const o = this.slot(field);
    return o ? (this.bb.__string(this.pos + o) as string) : undefined;
  }

  table(field: number): FbTable | undefined {
    const o = this.slot(field);
    return o ? new FbTable(this.bb, this.bb.__indirect(this.pos + o)) : undefined;
  }

  tables(field: number): FbTable[] {
    const o = this.slot(field);
    if (!o) return [];
    const start = this.bb.__vector(this.pos + o);
    const n = this.bb.__vector_len(this.pos + o);
    const out: FbTable[] = [];
    for (let i = 0; i < n; i++) out.push(new FbTable(this.bb, this.bb.__indirect(start + 4 * i)));
    return out;
  }

  int32s(field: number): number[] {
    return this.scalars(field, 4, (p) => this.bb.readInt32(p));
  }

  float32s(field: number): number[] {
    return this.scalars(field, 4, (p) => this.bb.readFloat32(p));
  }

  /** int64 vectors (zero points) hold small values; Number() is exact for them. */
  int64s(field: number): number[] {
    return this.scalars(field, 8, (p) => Number(this.bb.readInt64(p)));
  }

  /** Zero-copy view of a ubyte vector (buffer data). */
  bytes(field: number): Uint8Array | undefined {
    const o = this.slot(field);
    if (!o) return undefined;
    const start = this.bb.__vector(this.pos + o);
    const n = this.bb.__vector_len(this.pos + o);
    const all = this.bb.bytes();
    return all.subarray(start, start + n);
  }

  private scalars(field: number, size: number, read: (p: number) => number): number[] {
    const o = this.slot(field);
    if (!o) return [];
    const start = this.bb.__vector(this.pos + o);
    const n = this.bb.__vector_len(this.pos + o);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = read(start + size * i);
    return out;
  }
}
