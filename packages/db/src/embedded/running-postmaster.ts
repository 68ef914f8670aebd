import { execFileSync } from 'node:child_process';
import { readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Written next to the cluster while a Tailor process runs its postmaster: the pid of that Tailor process. */
export const ownerFile = (dataDir: string) => path.join(dataDir, 'postgres-owner.pid');

export const recordOwner = (dataDir: string) => writeFile(ownerFile(dataDir), `${process.pid}\n`);
export const clearOwner = (dataDir: string) => rm(ownerFile(dataDir), { force: true });

interface ProcessInfo {
  ppid: number;
  /** Where it runs (the postmaster chdirs into its cluster); undefined where it cannot be read. */
  cwd?: string;
}

/** A live process (a zombie is not: it has exited and only waits to be reaped), or undefined. */
async function processInfo(pid: number): Promise<ProcessInfo | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') return undefined;
    return { ppid: Number(ppid), cwd: await readlink(`/proc/${pid}/cwd`).catch(() => undefined) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || process.platform === 'linux') return undefined;
  }
  // Without /proc (macOS): ps.
  try {
    return { ppid: Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim()) };
  } catch {
    return undefined;
  }
}

export interface RunningPostmaster {
  pid: number;
  port: number;
  /** Its Tailor process is alive (it is still the postmaster's parent); otherwise it is left over from a crash. */
  ownerAlive: boolean;
}

/**
 * The postmaster serving `clusterDir` according to its postmaster.pid, if that process is alive and really is one for
 * this cluster (a pid in a stale lock file may since have been given to an unrelated process). A stale lock file is
 * removed: postgres would otherwise refuse to start while its pid belongs to anyone, and its shared-memory interlock
 * still stops a start if old backends of this cluster survive.
 */
export async function runningPostmaster(dataDir: string, clusterDir: string): Promise<RunningPostmaster | undefined> {
  const lockFile = path.join(clusterDir, 'postmaster.pid');
  const lines = await readFile(lockFile, 'utf8').then((t) => t.split('\n'), () => undefined);
  if (!lines) return undefined;
  const pid = Number(lines[0]);
  const info = pid > 0 ? await processInfo(pid) : undefined;
  // Linux tells where the process runs; elsewhere the lock file's data-directory line has to do.
  const ours = info && (info.cwd !== undefined ? info.cwd === (await realpath(clusterDir)) : process.platform !== 'linux' && lines[1] === clusterDir);
  if (!info || !ours) {
    await rm(lockFile, { force: true });
    return undefined;
  }
  const owner = Number(await readFile(ownerFile(dataDir), 'utf8').catch(() => ''));
  // Without an owner record (started by a Tailor from before there was one), a postmaster adopted by init is orphaned.
  return { pid, port: Number(lines[3]), ownerAlive: owner > 0 ? info.ppid === owner : info.ppid !== 1 };
}

/**
 * Stops a postmaster left running by a Tailor process that died (kill -9, OOM): a fast shutdown (clients
 * disconnected, a clean checkpoint), escalated to an immediate one if it hangs.
 */
export async function stopLeftoverPostmaster(dataDir: string, clusterDir: string, pid: number): Promise<void> {
  for (const [signal, waitMs] of [['SIGINT', 60_000], ['SIGQUIT', 10_000], ['SIGKILL', 5_000]] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      break; // already gone
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && (await processInfo(pid))) await new Promise((r) => setTimeout(r, 100));
    if (!(await processInfo(pid))) break;
  }
  if (await processInfo(pid)) throw new Error(`Embedded PostgreSQL: the postmaster (pid ${pid}) left running for ${clusterDir} does not stop`);
  await runningPostmaster(dataDir, clusterDir); // removes its lock file if it could not
}
