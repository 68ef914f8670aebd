import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProgressUpdate } from '@tailor/core';
import type { ChildMessage, TrainOutcome, TrainRequest } from './train-protocol';

export class ChildCrashedError extends Error {
  override name = 'ChildCrashedError';
}
export class TrainingFailedError extends Error {
  override name = 'TrainingFailedError';
}
export class TrainingAbortedError extends Error {
  override name = 'TrainingAbortedError';
}
/** The process ran past its hard time limit and was killed; retrying would only do the same. */
export class TimeLimitExceededError extends Error {
  override name = 'TimeLimitExceededError';
}

export interface TrainingChildOptions {
  onProgress: (p: ProgressUpdate) => Promise<boolean>;
  signal: AbortSignal;
  /** Kill the process this long after it starts (the run's time budget plus grace). */
  limitMs?: number;
  /**
   * Niceness for the process (and the CNN processes it starts, which inherit it): the HTTP API sharing the machine
   * keeps its cores when both want them. 0 leaves it as the parent.
   */
  nice?: number;
}

// The child runs TypeScript sources directly, like the parent: tsx's loader is passed explicitly so this works the same
// under `npm start`, under jest, and in the Docker image.
const TSX_LOADER = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
const CHILD_ENTRY = path.join(__dirname, 'train-child.ts');

/**
 * Runs one training in a child process. `onProgress` returning false (the run was canceled) or the signal aborting
 * (shutdown, job timeout) kills the child. A child that dies without a result is a crash (retryable); one that reports
 * an error failed on its data or settings (not retryable).
 */
export function runTrainingChild(req: TrainRequest, opts: TrainingChildOptions): Promise<TrainOutcome> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD_ENTRY, [], {
      execArgv: ['--import', TSX_LOADER],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    if (opts.nice && child.pid) {
      try {
        os.setPriority(child.pid, Math.min(19, os.getPriority(child.pid) + opts.nice));
      } catch {
        // Not permitted (a container without CAP_SYS_NICE cannot lower below its own); training still works.
      }
    }
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(limit);
      opts.signal.removeEventListener('abort', onAbort);
      fn();
    };
    // A kill settles when the process is gone (its 'exit'), not when the signal is sent: a run reported failed or
    // canceled never has its process still computing, and the next run does not share the cores with a dying one.
    let killedFor: Error | undefined;
    const killFor = (err: Error) => {
      if (settled || killedFor) return;
      killedFor = err;
      child.kill('SIGKILL');
      setTimeout(() => finish(() => reject(err)), 5_000).unref(); // should 'exit' never come
    };
    const limit =
      opts.limitMs === undefined
        ? undefined
        : setTimeout(() => killFor(new TimeLimitExceededError(`training process killed after ${Math.round(opts.limitMs! / 1000)} s`)), opts.limitMs);
    const onAbort = () => killFor(new TrainingAbortedError('training interrupted'));
    opts.signal.addEventListener('abort', onAbort);
    if (opts.signal.aborted) return onAbort();
    let chain = Promise.resolve();
    let outcome: TrainOutcome | undefined;
    child.on('message', (msg: ChildMessage) => {
      if (msg.type === 'progress') {
        // Serialised so progress rows are written in order.
        chain = chain.then(async () => {
          const keepGoing = await opts.onProgress(msg.progress).catch(() => true);
          if (!keepGoing) killFor(new TrainingAbortedError('run canceled'));
        });
      } else if (msg.type === 'done') {
        // After the progress already sent is written: the run's last message must land before it is published.
        outcome = msg.outcome;
        chain = chain.then(() => finish(() => resolve(msg.outcome)));
      } else if (msg.type === 'error') {
        finish(() => reject(new TrainingFailedError(msg.message)));
      }
    });
    child.on('exit', (code, sig) => {
      if (killedFor) return finish(() => reject(killedFor));
      // A child that sent its outcome may exit before the outcome is handed over (see 'done').
      if (!outcome) finish(() => reject(new ChildCrashedError(`training process exited (${sig ?? code})`)));
    });
    child.on('error', (err) => finish(() => reject(new ChildCrashedError(err.message))));
    child.send(req);
  });
}
