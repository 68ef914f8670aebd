import { z } from 'zod';

const quotaUse = z.object({
  used: z.number(),
  limit: z.number().nullable().describe('null: unlimited'),
});

/** An account's quotas and what it uses of them, and the per-key request limit: GET /v1/account, the dashboard. */
export const accountUsageView = z.object({
  quotas: z.object({
    models: quotaUse,
    images: quotaUse,
    storedBytes: quotaUse.describe('bytes of uploaded images'),
    trainingMinutesToday: quotaUse.extend({ resetsAt: z.string().describe('the next 00:00 UTC') }).describe('training time of runs started today (UTC)'),
    keys: quotaUse.describe('API keys not revoked'),
    webhooks: quotaUse,
    activeRuns: quotaUse.describe('training runs queued or running at once'),
  }),
  rateLimit: z.object({ requestsPerMinute: z.number().int().nullable().describe('per API key; null: unlimited') }),
});
export type AccountUsageView = z.infer<typeof accountUsageView>;
