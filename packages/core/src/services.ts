import type { Config } from '@tailor/config';
import type { Db } from '@tailor/db';
import type { JobRunner } from '@tailor/queue';
import type { BlobStore } from '@tailor/storage';
import { AccountService } from './accounts';
import { DatasetService } from './datasets';
import { ModelExportService } from './exports';
import { ImageService } from './images';
import { InsightsService } from './insights';
import { ModelService } from './models';
import { NotificationService } from './notifications';
import { PredictionService, type ClassifierLoader } from './prediction';
import { QuotaService, quotasFromConfig } from './quotas';
import { TrainingService, type RunQueuePolicy } from './training';
import { VersionService } from './versions';

export interface Infrastructure {
  config: Config;
  db: Db;
  blobs: BlobStore;
  jobs: JobRunner;
}

export interface Services {
  /** The blob store itself, for readers outside the domain services (projector exports). */
  blobs: BlobStore;
  accounts: AccountService;
  models: ModelService;
  images: ImageService;
  training: TrainingService;
  versions: VersionService;
  predictions: PredictionService;
  notifications: NotificationService;
  /** Dataset zips out and in. */
  datasets: DatasetService;
  /** Versions as portable bundles (ONNX, TF.js). */
  exports: ModelExportService;
  quotas: QuotaService;
  /** What the last run learned about the data: images to label next, the dataset audit. */
  insights: InsightsService;
}

/** How runs are queued (priority, attempt limit), the same in the API and in the worker's recovery. */
export function runQueuePolicy(config: Config): RunQueuePolicy {
  return { defaultBudgetSeconds: config.TAILOR_TRAIN_TIME_BUDGET_S, graceSeconds: config.TAILOR_TRAIN_GRACE_S };
}

/** The composition of the domain services over the infrastructure; shared by the API and the worker. */
export function createServices(infra: Infrastructure, loader: ClassifierLoader): Services {
  const { config, db, blobs, jobs } = infra;
  const quotas = new QuotaService(db, quotasFromConfig(config), { defaultBudgetSeconds: config.TAILOR_TRAIN_TIME_BUDGET_S });
  const models = new ModelService(db, blobs, { minImagesPerClass: config.TAILOR_MIN_IMAGES_PER_CLASS, quotas });
  const images = new ImageService(db, blobs, models, { maxImageDimension: config.TAILOR_MAX_IMAGE_DIMENSION, maxImagePixels: config.TAILOR_MAX_IMAGE_PIXELS }, quotas);
  const versions = new VersionService(db, models);
  return {
    blobs,
    quotas,
    accounts: new AccountService(db, quotas),
    models,
    images,
    training: new TrainingService(db, jobs, models, {
      minImagesPerClass: config.TAILOR_MIN_IMAGES_PER_CLASS,
      maxBudgetSeconds: config.TAILOR_MAX_TRAIN_TIME_BUDGET_S,
      ...runQueuePolicy(config),
      quotas,
    }),
    versions,
    predictions: new PredictionService(db, blobs, models, loader, config.TAILOR_PREDICTOR_CACHE_SIZE, {
      maxPixels: config.TAILOR_MAX_IMAGE_PIXELS,
      maxDimension: config.TAILOR_MAX_IMAGE_DIMENSION,
    }),
    notifications: new NotificationService(db, jobs, models, {
      allowPrivateUrls: config.TAILOR_ALLOW_PRIVATE_URLS,
      timeoutMs: config.TAILOR_URL_FETCH_TIMEOUT_MS,
      publicUrl: config.TAILOR_PUBLIC_URL,
      quotas,
    }),
    datasets: new DatasetService(db, blobs, models, images, {
      maxZipBytes: config.TAILOR_MAX_IMPORT_BYTES,
      maxImages: config.TAILOR_MAX_IMPORT_IMAGES,
      maxFileBytes: config.TAILOR_MAX_UPLOAD_BYTES,
      image: { maxPixels: config.TAILOR_MAX_IMAGE_PIXELS, maxDimension: config.TAILOR_MAX_IMAGE_DIMENSION },
    }, quotas),
    exports: new ModelExportService(db, blobs, models, versions),
    insights: new InsightsService(db, blobs, models),
  };
}
