import { gunzipSync } from 'node:zlib';

/** A parsed idx file (the format of the MNIST family): unsigned-byte data with its dimensions. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses idx bytes (gzip-compressed or not). Only the unsigned-byte type (0x08) is used by (Fashion-)MNIST. */
export function parseIdx(bytes: Buffer): IdxArray {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) throw new Error('not an idx file (bad magic)');
  if (raw[2] !== 0x08) throw new Error(`idx element type 0x${raw[2].toString(16)} not supported (only unsigned byte)`);
  const rank = raw[3];
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(raw.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const count = dims.reduce((a, b) => a * b, 1);
  if (raw.length !== offset + count) throw new Error(`idx size mismatch: header says ${count} bytes, file has ${raw.length - offset}`);
  return { dims, data: new Uint8Array(raw.buffer, raw.byteOffset + offset, count) };
}
