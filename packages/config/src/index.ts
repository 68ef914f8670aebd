export { loadConfig, ConfigError } from './load-config';
export type { Config } from './load-config';
export { envSchema, REPO_ROOT } from './env-schema';
export type { Env } from './env-schema';
