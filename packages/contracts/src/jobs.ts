import { z } from 'zod';

/** Job payloads: a version field; fields are only ever added as optional so queued jobs survive a deploy. */
export const trainJob = z.object({ version: z.literal(1), runId: z.string().uuid() });
export const notifyJob = z.object({ version: z.literal(1), eventId: z.string() });
