import { InvalidBlobKeyError } from './errors';

const MAX_KEY_BYTES = 1024; // S3's limit; applied to both stores so a key valid on one is valid on the other
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f\\]/;

/**
 * One rule for every store: '/'-separated segments, none empty, none starting with '.', no backslash or control
 * characters. Banning leading dots rules out '.' and '..' (path escape on the filesystem) and keeps the
 * filesystem store's own '.tmp' directory unreachable through keys.
 */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidBlobKeyError(String(key), 'empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new InvalidBlobKeyError(key, `longer than ${MAX_KEY_BYTES} bytes`);
  if (FORBIDDEN_CHARS.test(key)) throw new InvalidBlobKeyError(key, 'contains a backslash or control character');
  if (key.startsWith('/')) throw new InvalidBlobKeyError(key, 'absolute path');
  for (const segment of key.split('/')) {
    if (segment.length === 0) throw new InvalidBlobKeyError(key, 'empty path segment');
    if (segment.startsWith('.')) throw new InvalidBlobKeyError(key, `segment ${JSON.stringify(segment)} starts with a dot`);
  }
}

/** A list prefix is a key fragment: it may be empty or end in '/', but obeys the same segment rules otherwise. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  const body = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (body === '') throw new InvalidBlobKeyError(prefix, 'prefix "/" is absolute');
  assertValidKey(body);
}
