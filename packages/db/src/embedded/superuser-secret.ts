import { randomBytes } from 'node:crypto';
import { chmod, link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The superuser's password before each installation had its own (kept only to migrate such installations). */
export const LEGACY_PASSWORD = 'tailor';

export const secretFile = (dataDir: string) => path.join(dataDir, 'postgres-password');

/**
 * The embedded PostgreSQL superuser's password: random per installation, stored in `<data dir>/postgres-password`,
 * readable by its owner only. PostgreSQL listens on a loopback TCP port any local process can reach, so a shared,
 * well-known password would hand every local user the database (webhook secrets included).
 */
export async function superuserSecret(dataDir: string): Promise<string> {
  const file = secretFile(dataDir);
  const existing = await readSecret(file);
  if (existing) return existing;
  const secret = randomBytes(32).toString('hex');
  // Written whole under a temporary name, then linked into place: a crash never leaves a truncated secret, and of two
  // processes creating it at once, the second adopts the first's.
  const staging = `${file}.${randomBytes(6).toString('hex')}`;
  await writeFile(staging, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(staging, file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } finally {
    await unlink(staging).catch(() => undefined);
  }
  const stored = await readSecret(file);
  if (!stored) throw new Error(`Embedded PostgreSQL: ${file} is empty; remove it`);
  return stored;
}

async function readSecret(file: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  // A copy restored from a backup may have lost its mode: close it again.
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return text.trim() || undefined;
}
