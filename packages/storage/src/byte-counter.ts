import { Transform, type TransformCallback } from 'node:stream';
import { BlobSizeMismatchError } from './errors';

/**
 * A pass-through that counts bytes and, when an expected size is given, errors the pipeline as soon as the body
 * is too long or ends too short — so a wrong size aborts the upload instead of storing a truncated object.
 */
export class ByteCounter extends Transform {
  bytes = 0;
  constructor(private readonly key: string, private readonly expected?: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.expected !== undefined && this.bytes > this.expected) {
      done(new BlobSizeMismatchError(this.key, this.expected, this.bytes));
      return;
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.expected !== undefined && this.bytes !== this.expected) {
      done(new BlobSizeMismatchError(this.key, this.expected, this.bytes));
      return;
    }
    done();
  }
}
