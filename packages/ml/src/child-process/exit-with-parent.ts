import { Worker } from 'node:worker_threads';

// Plain JavaScript evaluated in a worker thread: it has its own event loop, so it keeps running while the main
// thread is inside a long synchronous computation.
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.parent) process.kill(process.pid, 'SIGKILL');
}, workerData.pollMs);
`;

/**
 * Ends this child process as soon as its parent dies, however it dies (SIGKILL included), rather than computing for
 * nobody. The IPC channel's 'disconnect' event is not enough on its own: it is only seen when the event loop turns,
 * and TensorFlow.js on wasm computes synchronously for long stretches (a training child whose worker was killed went
 * on for more than a minute). A worker thread polls the parent pid instead; when the parent dies the process is
 * re-parented, the pid changes, and the thread kills the process. Nothing is lost: the parent is gone, and its run is
 * retried from PostgreSQL's record.
 */
export function exitWithParent(opts: { pollMs?: number } = {}): void {
  if (!process.connected) process.exit(1); // the parent died before this process got here
  const watchdog = new Worker(WATCHDOG, { eval: true, workerData: { parent: process.ppid, pollMs: opts.pollMs ?? 500 } });
  watchdog.unref(); // never what keeps the process alive
}
