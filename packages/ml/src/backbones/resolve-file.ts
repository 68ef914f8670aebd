import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as path from 'node:path';
import type { BackboneSource } from './catalog';

/** A backbone file whose bytes do not match the published sha256 (corrupt download, tampering, wrong file). */
export class BackboneIntegrityError extends Error {
  override name = 'BackboneIntegrityError';
  constructor(readonly file: string, readonly expected: string, readonly actual: string) {
    super(`sha256 mismatch for ${file}: expected ${expected}, got ${actual}`);
  }
}

export interface ResolveOptions {
  /** Directory searched first (env TAILOR_BACKBONE_DIR, default `<repo>/../shared/backbones`). */
  localDir?: string;
  /** Where downloads are kept (env TAILOR_BACKBONE_CACHE_DIR, default `~/.cache/tailor/backbones`). */
  cacheDir?: string;
  /** Overrides the download URL (mirrors, tests). */
  url?: string;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export function defaultBackboneDir(): string {
  return process.env.TAILOR_BACKBONE_DIR ?? path.resolve(REPO_ROOT, '..', 'shared', 'backbones');
}

export function defaultCacheDir(): string {
  return process.env.TAILOR_BACKBONE_CACHE_DIR ?? path.join(homedir(), '.cache', 'tailor', 'backbones');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function verify(file: string, bytes: Uint8Array, expected: string): void {
  const actual = sha256Hex(bytes);
  if (actual !== expected) throw new BackboneIntegrityError(file, expected, actual);
}

/**
 * Returns the verified bytes of a backbone file: from the local directory, else from the download cache, else
 * downloaded (written to the cache only after its sha256 matched, via a temp file + rename so a crash never leaves a
 * half file under the final name).
 */
export async function resolveBackboneBytes(src: BackboneSource, opts: ResolveOptions = {}): Promise<Uint8Array> {
  for (const dir of [opts.localDir ?? defaultBackboneDir(), opts.cacheDir ?? defaultCacheDir()]) {
    const file = path.join(dir, src.fileName);
    const bytes = await readIfExists(file);
    if (bytes) {
      verify(file, bytes, src.sha256);
      return bytes;
    }
  }
  const url = opts.url ?? src.url;
  const res = await fetch(url, { redirect: 'follow' });
  if (!res.ok) throw new Error(`download of ${url} failed: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  verify(url, bytes, src.sha256);
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  await mkdir(cacheDir, { recursive: true });
  const final = path.join(cacheDir, src.fileName);
  const tmp = `${final}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, final);
  } finally {
    await rm(tmp, { force: true });
  }
  return bytes;
}
