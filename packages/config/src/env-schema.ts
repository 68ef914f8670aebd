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
  // Dataset imports (POST /v1/models/import): the zip is spooled to a temporary file up to this size, never held in
  // memory; each image in it is held to TAILOR_MAX_UPLOAD_BYTES and the upload checks.
  TAILOR_MAX_IMPORT_BYTES: int(2 * 1024 ** 3, 1),
  TAILOR_MAX_IMPORT_IMAGES: int(50_000, 1),
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
  // Where onnxruntime runs backbones and fine-tuning: 'cpu', or 'cuda,cpu' on a GPU worker (Dockerfile.gpu).
  TAILOR_ONNX_PROVIDERS: z.enum(['cpu', 'cuda,cpu']).default('cpu'),
  // The largest time budget a run may ask for (settings.timeBudgetSeconds); the contract's own ceiling is 3600.
  TAILOR_MAX_TRAIN_TIME_BUDGET_S: int(3600, 5),
  // The worker cuts a training process at budget + max(this, budget / 2): the engine plans to fit the budget by a
  // cost model, and this is the hard stop when the machine turns out slower than the model thinks (a busy machine,
  // where the nice'd training process gets little CPU; a cold start loading every backbone).
  TAILOR_TRAIN_GRACE_S: int(300, 0),
  // Niceness of the training process (0-19): the API in the same machine keeps answering while a model trains.
  TAILOR_TRAIN_NICE: int(10, 0).pipe(z.number().max(19)),
  // onnxruntime threads of the training process; unset = 1 when the API runs in the same process group (role all),
  // else the engine's default.
  TAILOR_TRAIN_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  TAILOR_PREDICTOR_CACHE_SIZE: int(8, 1),

  // Fairness: queued + running runs one account may have at once (0 = unlimited).
  TAILOR_MAX_ACTIVE_RUNS_PER_ACCOUNT: int(3, 0),
  // Requests per API key per minute (0 = unlimited); shared through Redis when REDIS_URL is set.
  TAILOR_RATE_LIMIT_PER_MINUTE: int(3000, 0),
  // Per-account quotas (0 = unlimited). Exceeding one answers 402 naming it.
  TAILOR_QUOTA_MODELS: int(100, 0),
  TAILOR_QUOTA_IMAGES: int(50_000, 0),
  TAILOR_QUOTA_STORED_BYTES: int(10 * 1024 ** 3, 0),
  TAILOR_QUOTA_TRAINING_MINUTES_PER_DAY: int(240, 0),
  TAILOR_QUOTA_KEYS: int(20, 0),
  TAILOR_QUOTA_WEBHOOKS: int(20, 0),
  // Memory bounds of one API process: bytes of uploaded and downloaded files held at once (past it: 503 +
  // Retry-After), bytes one request may download by URL, and the embedding projector's size and time.
  TAILOR_MAX_INFLIGHT_UPLOAD_BYTES: int(256 * 1024 ** 2, 1),
  TAILOR_MAX_URL_BYTES_PER_REQUEST: int(100 * 1024 ** 2, 1),
  TAILOR_PROJECTOR_MAX_IMAGES: int(5000, 1),
  TAILOR_PROJECTOR_TIMEOUT_S: int(300, 1),

  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Tailor <tailor@localhost>'),
});

export type Env = z.infer<typeof envSchema>;
