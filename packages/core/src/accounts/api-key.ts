import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCOPES = ['train', 'predict', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
/** A full key can do everything its account can; a predict-only key can only read models and predict. */
export const DEFAULT_SCOPES: Scope[] = ['train', 'predict'];

const KEY_PREFIX = 'tl_';

/** 24 random bytes (192 bits), URL-safe, recognisable by its prefix in logs and secret scanners. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(24).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The part of a key shown in listings. */
export function displayPrefix(key: string): string {
  return key.slice(0, 8);
}

/** Compares two hex digests in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
