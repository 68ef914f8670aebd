import type { Config } from '@tailor/config';

/** What one account may hold and use. `null` = unlimited (configured as 0). */
export interface AccountQuotas {
  models: number | null;
  images: number | null;
  storedBytes: number | null;
  trainingMinutesPerDay: number | null;
  keys: number | null;
  webhooks: number | null;
  /** Training runs queued or running at once (the fairness limit, answered 429 rather than 402). */
  activeRuns: number | null;
}

export type QuotaName = keyof AccountQuotas;

const limit = (n: number) => (n > 0 ? n : null);

/** The same quotas for every account, from the environment. */
export function quotasFromConfig(config: Config): AccountQuotas {
  return {
    models: limit(config.TAILOR_QUOTA_MODELS),
    images: limit(config.TAILOR_QUOTA_IMAGES),
    storedBytes: limit(config.TAILOR_QUOTA_STORED_BYTES),
    trainingMinutesPerDay: limit(config.TAILOR_QUOTA_TRAINING_MINUTES_PER_DAY),
    keys: limit(config.TAILOR_QUOTA_KEYS),
    webhooks: limit(config.TAILOR_QUOTA_WEBHOOKS),
    activeRuns: limit(config.TAILOR_MAX_ACTIVE_RUNS_PER_ACCOUNT),
  };
}
