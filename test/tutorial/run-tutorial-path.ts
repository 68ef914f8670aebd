import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TutorialBlock } from './tutorial-blocks';

export interface StepOutput {
  block: TutorialBlock;
  stdout: string;
  stderr: string;
  rc: number | null;
  /** Exported variables after the block ran. */
  env: Record<string, string>;
}

export interface PathRun {
  steps: StepOutput[];
  exitCode: number | null;
  seconds: number;
  /** Everything, for failure messages. */
  transcript: string;
}

const WATCHED = ['NANONETS_MODEL_ID', 'NANONETS_API_KEY', 'RUN_ID', 'MODEL_ID'];

/**
 * Runs blocks one after another in ONE bash process, as a reader pasting them into one terminal would: variables
 * and functions defined by a block are there for the next. Each block is sourced from its own file, between
 * markers on both streams, so every step's output and exit status can be checked; the first failing block stops
 * the run.
 */
export async function runTutorialPath(blocks: TutorialBlock[], cwd: string, env: Record<string, string>, timeoutMs: number): Promise<PathRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tailor-tutorial-'));
  const started = Date.now();
  try {
    let script = 'set -o pipefail\n';
    for (const [i, b] of blocks.entries()) {
      const file = path.join(dir, `block-${i}.sh`);
      await writeFile(file, b.code + '\n');
      script += `echo "@@begin ${i}"; echo "@@begin ${i}" >&2\n`;
      script += `source ${JSON.stringify(file)}; rc=$?\n`;
      script += `echo; echo "@@end ${i} $rc ${WATCHED.map((v) => `${v}=\${${v}:-}`).join(' ')}"; echo "@@end ${i}" >&2\n`;
      script += `[ "$rc" -eq 0 ] || exit 100\n`;
    }
    const child = spawn('bash', ['--noprofile', '--norc', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let transcript = '';
    child.stdout.on('data', (d) => ((out += d), (transcript += d)));
    child.stderr.on('data', (d) => ((err += d), (transcript += d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    clearTimeout(timer);
    const steps: StepOutput[] = blocks.map((block, i) => {
      const o = section(out, i);
      const e = section(err, i);
      const endLine = /@@end \d+ (\d+) (.*)$/m.exec(out.slice(out.indexOf(`@@end ${i} `)))?.slice(1) ?? [];
      const vars: Record<string, string> = {};
      for (const kv of (endLine[1] ?? '').split(' ')) {
        const eq = kv.indexOf('=');
        if (eq > 0) vars[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      return { block, stdout: o.replace(/\n\n?$/, '\n'), stderr: e, rc: out.includes(`@@end ${i} `) ? Number(endLine[0]) : null, env: vars };
    });
    return { steps, exitCode, seconds: (Date.now() - started) / 1000, transcript };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function section(text: string, i: number): string {
  const a = text.indexOf(`@@begin ${i}\n`);
  if (a < 0) return '';
  const b = text.indexOf(`@@end ${i}`, a);
  return text.slice(a + `@@begin ${i}\n`.length, b < 0 ? undefined : b);
}
