import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { NANONETS_FASHION_DIR } from '../support/fixtures';

export const CLASSES = ['Bag', 'Sneaker', 'Trouser'];

/** A dataset folder as users have it: <root>/<Class>/*.jpeg, the first `n` real tutorial JPEGs of each class. */
export async function makeClassFolders(root: string, split: 'train' | 'test', n: number, classes = CLASSES): Promise<string> {
  for (const c of classes) {
    const src = path.join(NANONETS_FASHION_DIR, split, c);
    await mkdir(path.join(root, c), { recursive: true });
    for (const f of (await readdir(src)).sort().slice(0, n)) await cp(path.join(src, f), path.join(root, c, f));
  }
  return root;
}

/** A file named like a JPEG that is not an image: the server must reject it, not crash. */
export async function writeCorruptJpeg(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, 'this is not a jpeg\n');
  return file;
}

/** A stand-in for process.stdout/stderr that keeps what was written (the CLI only calls write and reads isTTY). */
export function captureStream(): NodeJS.WriteStream & { text(): string } {
  let buf = '';
  const w = new Writable({
    write(chunk, _enc, cb) {
      buf += chunk.toString();
      cb();
    },
  }) as unknown as NodeJS.WriteStream & { text(): string };
  w.text = () => buf;
  return w;
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a real process (the CLI or a Python script) with exactly the given environment. */
export function runProcess(cmd: string, args: string[], env: Record<string, string>, cwd: string, timeoutMs = 90_000): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
