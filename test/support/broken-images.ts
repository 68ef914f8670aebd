import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** Real files that break in the ways uploads do: cut off in transit, or a header that lies about the pixels. */

/** The first `fraction` of a file, as an interrupted upload leaves it. */
export function truncated(bytes: Buffer, fraction = 0.8): Buffer {
  return Buffer.from(bytes.subarray(0, Math.floor(bytes.length * fraction)));
}

/** 88 bytes that claim to be a 9000x9000 RGB PNG: a valid header, 20 bytes of pixel data where 243 MB belong. */
export function liarPng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(9000, 0);
  ihdr.writeUInt32BE(9000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.alloc(20), { level: 0 })), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A real, valid PNG of one colour: a 16000x16000 one is ~3 MB on the wire and 768 MB once decoded to RGB. */
export function plainPng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 20, b: 20 } } }).png().toBuffer();
}

/** A PNG chunk: length, type, data, CRC-32 of type + data. */
function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
