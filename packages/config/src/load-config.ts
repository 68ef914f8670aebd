import path from 'node:path';
import { envSchema, type Env } from './env-schema';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface Config extends Env {
  /** Absolute data directory. */
  dataDir: string;
  mode: 'embedded' | 'distributed';
}

/** Parses the environment once, failing with a message that names each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  if (cfg.S3_BUCKET && (!cfg.S3_ACCESS_KEY_ID) !== (!cfg.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError('Invalid configuration:\n  S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together');
  }
  const distributed = Boolean(cfg.DATABASE_URL && cfg.REDIS_URL);
  if (cfg.TAILOR_ROLE !== 'all' && !distributed) {
    throw new ConfigError(
      `Invalid configuration:\n  TAILOR_ROLE=${cfg.TAILOR_ROLE} needs DATABASE_URL and REDIS_URL (separate API and worker processes share them)`,
    );
  }
  return { ...cfg, dataDir: path.resolve(cfg.TAILOR_DATA_DIR), mode: distributed ? 'distributed' : 'embedded' };
}
