import { z } from 'zod';
import { defineJobCatalog, type JobLogger } from '../src';

/** Small backoffs and a timeout so retry and timeout behaviour can be observed in milliseconds. */
export const testCatalog = defineJobCatalog({
  echo: {
    schema: z.object({ version: z.literal(1), value: z.string(), note: z.string().optional() }),
    attempts: 3,
    backoffMs: 100,
  },
  timed: {
    schema: z.object({ version: z.literal(1), value: z.string() }),
    attempts: 1,
    backoffMs: 10,
    timeoutMs: 300,
  },
  /** Its attempt limit comes from the payload, as a training run's follows its time budget. */
  budgeted: {
    schema: z.object({ version: z.literal(1), timeoutMs: z.number().int().positive().optional() }),
    attempts: 1,
    backoffMs: 10,
    timeoutMs: (payload: { timeoutMs?: number }) => payload.timeoutMs ?? 60_000,
  },
});
export type TestCatalog = typeof testCatalog;

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true; fails the test with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export interface LogEntry {
  level: 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}
export function captureLogger(): JobLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    warn: (obj, msg) => entries.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    error: (obj, msg) => entries.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
  };
}
