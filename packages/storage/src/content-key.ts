import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Deterministic key for content-addressed blobs: `<namespace>/ab/cd/<sha256>`. Two levels of fan-out keep
 * directories small on the filesystem store; the same bytes always land on the same key, so retries overwrite.
 */
export function contentKey(sha256Hex: string, namespace = 'images'): string {
  if (!SHA256_HEX.test(sha256Hex)) throw new Error(`contentKey: expected a lowercase sha256 hex digest, got ${JSON.stringify(sha256Hex)}`);
  return `${namespace}/${sha256Hex.slice(0, 2)}/${sha256Hex.slice(2, 4)}/${sha256Hex}`;
}

/** sha256 hex digest of a buffer (synchronously) ... */
export function sha256Hex(data: Buffer | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** ... or of a buffer or a stream; the stream is consumed. */
export async function sha256(input: Buffer | Uint8Array | Readable): Promise<string> {
  if (input instanceof Uint8Array) return sha256Hex(input);
  const hash = createHash('sha256');
  for await (const chunk of input) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
