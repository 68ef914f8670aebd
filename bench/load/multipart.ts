import { randomBytes } from 'node:crypto';

/** A multipart/form-data body as NanoNets clients send it: text fields, then `file` parts. */
export function multipart(fields: Record<string, string>, files: Array<{ name: string; bytes: Buffer }>) {
  const boundary = `----tailorbench${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: image/jpeg\r\n\r\n`));
    parts.push(f.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * The same JPEG with a different comment segment (FF FE) right after its start marker: other bytes, so a different
 * content hash (a new image to store, not a duplicate), and the same pixels.
 */
export function uniqueJpeg(jpeg: Buffer, n: number): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  const note = Buffer.from(`tailor-bench-${n}-${randomBytes(4).toString('hex')}`);
  const segment = Buffer.alloc(4 + note.length);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(note.length + 2, 2);
  note.copy(segment, 4);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}
