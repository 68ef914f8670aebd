import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@tailor/config';

/** State and parent of a process from /proc; undefined once it is gone. A zombie has exited: it only awaits reaping. */
function proc(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return state === 'Z' ? undefined : { state: state!, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

function descendants(root: number): number[] {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length) {
    frontier = all.filter((pid) => frontier.includes(proc(pid)?.ppid ?? -1));
    found.push(...frontier);
  }
  return found;
}

/**
 * Starts test/e2e/fixtures/compute-parent.ts (a parent running one of Tailor's compute children), waits until the
 * child computes, SIGKILLs the parent, and returns how long the child (and anything it started) outlived it.
 */
async function childOutlivesParentBy(mode: 'train' | 'cnn' | 'sync', workDir: string): Promise<{ children: number[]; seconds: number }> {
  const parent = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'compute-parent.ts'), mode, workDir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  parent.stdout!.on('data', (d) => (out += d));
  parent.stderr!.on('data', (d) => (out += d));
  try {
    const deadline = Date.now() + 240_000;
    while (!/^ready \d+/m.test(out)) {
      if (parent.exitCode !== null || Date.now() > deadline) throw new Error(`the parent never got its child computing:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const announced = /^ready ([\d ]+)/m.exec(out)![1]!.trim().split(' ').map(Number);
    const children = [...new Set([...announced, ...descendants(parent.pid!)])];
    expect(children.filter((pid) => proc(pid)).length).toBeGreaterThan(0);
    parent.kill('SIGKILL');
    const killedAt = Date.now();
    while (children.some((pid) => proc(pid)) && Date.now() - killedAt < 90_000) await new Promise((r) => setTimeout(r, 100));
    return { children, seconds: (Date.now() - killedAt) / 1000 };
  } finally {
    parent.kill('SIGKILL');
  }
}

/**
 * Tailor's compute children end when their parent dies, SIGKILL included, instead of computing for nobody: a killed
 * worker's training child went on for over a minute before they watched their parent from a thread of their own.
 */
describe('compute children exit when their parent is SIGKILLed', () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'tailor-orphans-'));
  });
  afterAll(async () => rm(workDir, { recursive: true, force: true }));

  it('a child inside a long synchronous TensorFlow.js computation (its event loop never turns)', async () => {
    const { children, seconds } = await childOutlivesParentBy('sync', workDir);
    expect(children.filter((pid) => proc(pid))).toEqual([]);
    expect(seconds).toBeLessThan(5);
  }, 120_000);

  it('the training child (run-child.ts), killed in the middle of the model search', async () => {
    const { children, seconds } = await childOutlivesParentBy('train', workDir);
    expect(children.filter((pid) => proc(pid))).toEqual([]);
    expect(seconds).toBeLessThan(5);
  }, 300_000);

  it("a CNN candidate's child (cnn-alongside.ts), killed while it trains", async () => {
    const { children, seconds } = await childOutlivesParentBy('cnn', workDir);
    expect(children.filter((pid) => proc(pid))).toEqual([]);
    expect(seconds).toBeLessThan(5);
  }, 300_000);
});
