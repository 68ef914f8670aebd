import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PostgresBinaries } from './postgres-binaries';
import type { ServerAccount } from './server-account';

export const SUPERUSER = 'tailor';

/** A cluster directory and how its processes run: as `account` when Tailor is root, else as Tailor's own user. */
export interface Cluster {
  dir: string;
  account?: ServerAccount;
  binaries: PostgresBinaries;
}

/**
 * How initdb and postgres are told where the cluster is. As another user they may be unable to reach it by its path
 * (a data dir inside root's 0700 home, or inside a `mktemp -d` folder), so they are started with the cluster as their
 * working directory, entered while still root, and given /proc/self/cwd: the kernel resolves that link to the
 * directory itself without walking its parents. postgres chdirs there at start and uses relative paths from then on,
 * and its child processes inherit the directory. Nothing outside the cluster directory is opened up.
 */
const dataDirArg = (c: Cluster) => (c.account ? '/proc/self/cwd' : c.dir);

function spawnIn(c: Cluster, file: string, args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string } {
  // A minimal environment: the server's secrets (S3 keys, SMTP credentials) have no business in PostgreSQL's.
  const child = spawn(file, args, {
    cwd: c.dir,
    uid: c.account?.uid,
    gid: c.account?.gid,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString('utf8')).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => tail.trim() };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Creates the cluster (the directory must exist, be empty and belong to the cluster's account). */
export async function initCluster(c: Cluster, password: string): Promise<void> {
  // The password reaches initdb through a pipe that the shell, already running as the cluster's account, creates:
  // a file would have to be readable by that account somewhere it can reach, and Node's own stdio is a socket,
  // which /dev/stdin cannot open.
  const args = [`--pgdata=${dataDirArg(c)}`, `--username=${SUPERUSER}`, '--auth=scram-sha-256', '--pwfile=/dev/stdin', '--encoding=UTF8', '--locale=C', '--no-instructions'];
  const { child, output } = spawnIn(c, '/bin/sh', ['-c', 'printf "%s\\n" "$TAILOR_PG_PASSWORD" | "$@"', 'initdb', c.binaries.initdb, ...args], {
    TAILOR_PG_PASSWORD: password,
  });
  const { code, signal } = await exited(child);
  if (code !== 0) throw new Error(`initdb failed (${signal ?? code}): ${output()}`);
}

export interface Postmaster {
  pid: number;
  /** Fast shutdown (clients disconnected, a clean checkpoint); immediate if it has not ended in time. */
  stop(): Promise<void>;
}

/**
 * Starts postgres on 127.0.0.1:port (no Unix socket: nothing connects through one) and resolves once its lock file
 * says it is ready, as pg_ctl decides it. Rejects with postgres's own words if it exits first (port taken, ...).
 */
export async function startPostmaster(c: Cluster, port: number): Promise<Postmaster> {
  const args = ['-D', dataDirArg(c), '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  const { child, output } = spawnIn(c, c.binaries.postgres, args);
  const done = exited(child);
  // If Tailor exits without stopping it (an uncaught error), the postmaster is not left behind.
  const onExit = () => child.kill('SIGINT');
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGQUIT'), 60_000);
    await done;
    clearTimeout(timer);
  };
  const lockFile = path.join(c.dir, 'postmaster.pid');
  let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void done.then((e) => (ended = e));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (ended) {
      process.removeListener('exit', onExit);
      throw new Error(`postgres exited (${ended.signal ?? ended.code}) before it was ready: ${output()}`);
    }
    const lines = await readFile(lockFile, 'utf8').then((t) => t.split('\n'), () => []);
    if (Number(lines[0]) === child.pid && lines[7]?.trim() === 'ready') return { pid: child.pid!, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`postgres did not become ready within 120 s: ${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
