/** Raised by `get`/`getBuffer` when no object exists under the key, so callers can map it to a 404. */
export class BlobNotFoundError extends Error {
  override readonly name = 'BlobNotFoundError';
  constructor(readonly key: string) {
    super(`blob not found: ${key}`);
  }
}

/** Raised before any I/O when a key could escape the store's root or is otherwise unusable. */
export class InvalidBlobKeyError extends Error {
  override readonly name = 'InvalidBlobKeyError';
  constructor(readonly key: string, reason: string) {
    super(`invalid blob key ${JSON.stringify(key)}: ${reason}`);
  }
}

/** Raised when `opts.size` was given and the body's real length differs; nothing is stored in that case. */
export class BlobSizeMismatchError extends Error {
  override readonly name = 'BlobSizeMismatchError';
  constructor(readonly key: string, readonly expected: number, readonly actual: number) {
    super(`blob ${key}: expected ${expected} bytes, got ${actual}`);
  }
}
