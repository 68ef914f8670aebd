import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

/** The repository root: defaults below that name `../shared` resolve against it. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/**
 * Every setting Tailor reads from the environment, in one place. Defaults give the embedded mode: no DATABASE_URL
 * means an embedded PostgreSQL, no REDIS_URL the in-process job runner, no S3_BUCKET the filesystem blob store.
 */
export const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: int(3000, 0).pipe(z.number().max(65535)),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TAILOR_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  TAILOR_DATA_DIR: z.string().default('./data'),
  TAILOR_PUBLIC_URL: z.url().optional(),

  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL').optional(),
  TAILOR_EMBEDDED_PG_PORT: int(54329, 1).pipe(z.number().max(65535)),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
  TAILOR_QUEUE_PREFIX: z.string().default('tailor'),

  S3_BUCKET: z.string().min(3).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.default(true),

  TAILOR_BOOTSTRAP_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  TAILOR_BACKBONE_DIR: z.string().default(path.join(REPO_ROOT, '..', 'shared', 'backbones')),

  TAILOR_MAX_UPLOAD_BYTES: int(10 * 1024 * 1024, 1),
  TAILOR_MAX_FILES_PER_REQUEST: int(100, 1),
  TAILOR_MAX_IMAGE_DIMENSION: int(10000, 1),
  // Width x height an image may have (uploads, training, predictions): checked from the header, then decoding stops
  // there too, so one image never costs more than ~3 bytes per allowed pixel. 50 MP: an 8K photo passes.
  TAILOR_MAX_IMAGE_PIXELS: int(50_000_000, 1),
  TAILOR_MIN_IMAGES_PER_CLASS: int(5, 1),
  TAILOR_MAX_URLS_PER_REQUEST: int(50, 1),
  TAILOR_URL_FETCH_TIMEOUT_MS: int(10000, 1),
  TAILOR_ALLOW_PRIVATE_URLS: bool.default(false),

  TAILOR_WORKER_CONCURRENCY: int(1, 1),
  // A worker that stops renewing its job lock for this long (killed, frozen) loses the job to another worker.
  TAILOR_JOB_LOCK_MS: int(30000, 1000),
  TAILOR_JOB_STALLED_INTERVAL_MS: int(30000, 1000),
  // How long a stopping worker lets a running job finish before handing it back to the queue.
  TAILOR_SHUTDOWN_GRACE_MS: int(20000, 0),
  TAILOR_TRAIN_TIME_BUDGET_S: int(150, 5),
  TAILOR_PREDICTOR_CACHE_SIZE: int(8, 1),

  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Tailor <tailor@localhost>'),
});

export type Env = z.infer<typeof envSchema>;
