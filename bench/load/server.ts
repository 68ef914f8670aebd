import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, startServerProcess, type ServerProcess } from '../../test/support/server-process';

export const BENCH_KEY = 'tl_bench_load_key_0123456789abcdefghij';

/** Resident memory of a process in bytes (0 once it has ended). */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Children of `pid` whose command line mentions `what`. */
export function childrenRunning(pid: number, what: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(what)) out.push(Number(d));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

/**
 * Peaks of the server process's RSS and of its training process's, sampled every 200 ms; `reset` starts a new window
 * (one per table row), `series` keeps a coarse sample for the soak.
 */
export class RssSampler {
  private timer: NodeJS.Timeout;
  peakServer = 0;
  peakTraining = 0;
  overallServer = 0;
  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 200);
    this.timer.unref();
  }
  sample() {
    const server = rssBytes(this.pid);
    const training = childrenRunning(this.pid, 'train-child').reduce((n, p) => n + rssBytes(p), 0);
    this.peakServer = Math.max(this.peakServer, server);
    this.overallServer = Math.max(this.overallServer, server);
    this.peakTraining = Math.max(this.peakTraining, training);
    return { server, training };
  }
  reset() {
    this.peakServer = 0;
    this.peakTraining = 0;
  }
  stop() {
    clearInterval(this.timer);
  }
}

export interface BenchServer {
  url: string;
  pid: number;
  process: ServerProcess;
  stop(): Promise<void>;
}

/**
 * What `npm start` runs, as its own process in embedded mode: an embedded PostgreSQL, the filesystem blob store, the
 * in-process job runner, API and worker in one process, in a fresh data dir. The per-key rate limit is off (one key
 * drives all the load here) unless `env` sets it.
 */
export async function startBenchServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tailor-bench-load-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startServerProcess({
    PORT: String(port),
    TAILOR_DATA_DIR: dataDir,
    TAILOR_EMBEDDED_PG_PORT: String(await freePort()),
    TAILOR_BOOTSTRAP_API_KEY: BENCH_KEY,
    TAILOR_RATE_LIMIT_PER_MINUTE: '0',
    TAILOR_MIN_IMAGES_PER_CLASS: '5',
    // The benchmark measures the API beside training, not the hard cut; a busy machine should not fail its runs.
    TAILOR_TRAIN_GRACE_S: '900',
    ...(process.env.TAILOR_BACKBONE_DIR ? { TAILOR_BACKBONE_DIR: process.env.TAILOR_BACKBONE_DIR } : {}),
    LOG_LEVEL: 'warn',
    ...env,
  });
  await proc.waitForHealth(url, 120_000);
  return {
    url,
    pid: proc.child.pid!,
    process: proc,
    stop: async () => {
      await proc.stop('SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
