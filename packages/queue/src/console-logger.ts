import type { JobLogger } from './job-runner';

/** Used when no logger is given, so failed and stalled jobs are never silent. One JSON line per event on stderr. */
export const consoleJobLogger: JobLogger = {
  warn: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 'warn', ...obj, msg })}\n`),
  error: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 'error', ...obj, msg })}\n`),
};

export function errorFields(err: unknown): { err: { name: string; message: string } } {
  const e = err instanceof Error ? err : new Error(String(err));
  return { err: { name: e.name, message: e.message } };
}
