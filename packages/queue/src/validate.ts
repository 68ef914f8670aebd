import { z } from 'zod';
import type { JobCatalog, JobDefinition } from './catalog';
import { InvalidJobPayloadError } from './errors';
import { MAX_PRIORITY } from './job-runner';

export function jobDefinition(catalog: JobCatalog, name: string): JobDefinition {
  const def = Object.prototype.hasOwnProperty.call(catalog, name) ? catalog[name] : undefined;
  if (!def) throw new Error(`unknown job "${name}"`);
  return def;
}

/** Ids become Redis key parts: BullMQ rejects ':' and integer-looking ids, so both runners do. */
export function assertValidJobId(jobId: string): void {
  if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 256) throw new Error('jobId must be 1-256 characters');
  // eslint-disable-next-line no-control-regex
  if (/[:\s\u0000-\u001f]/.test(jobId)) throw new Error(`jobId ${JSON.stringify(jobId)} must not contain ':', whitespace or control characters`);
  if (String(parseInt(jobId, 10)) === jobId) throw new Error(`jobId ${JSON.stringify(jobId)} must not be an integer (BullMQ reserves those)`);
}

/** Enqueue-side check; returns the payload as it will be stored (a JSON copy, as Redis would hold it). */
export function validatedPayload(name: string, def: JobDefinition, payload: unknown): unknown {
  const parsed = def.schema.safeParse(payload);
  if (!parsed.success) throw new InvalidJobPayloadError(name, z.prettifyError(parsed.error));
  return JSON.parse(JSON.stringify(payload));
}

export function assertValidPriority(priority: number | undefined): void {
  if (priority === undefined) return;
  if (!Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY) throw new Error(`priority must be an integer 1-${MAX_PRIORITY}`);
}
