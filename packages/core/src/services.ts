import type { Config } from '@tailor/config';
import type { Db } from '@tailor/db';
import type { JobRunner } from '@tailor/queue';
import type { BlobStore } from '@tailor/storage';
import { AccountService } from './accounts';
import { ImageService } from './images';
import { ModelService } from './models';
import { NotificationService } from './notifications';
import { PredictionService, type ClassifierLoader } from './prediction';
import { TrainingService } from './training';
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
}

/** The composition of the domain services over the infrastructure; shared by the API and the worker. */
export function createServices(infra: Infrastructure, loader: ClassifierLoader): Services {
  const { config, db, blobs, jobs } = infra;
  const models = new ModelService(db, blobs, { minImagesPerClass: config.TAILOR_MIN_IMAGES_PER_CLASS });
  return {
    blobs,
    accounts: new AccountService(db),
    models,
    images: new ImageService(db, blobs, models, { maxImageDimension: config.TAILOR_MAX_IMAGE_DIMENSION, maxImagePixels: config.TAILOR_MAX_IMAGE_PIXELS }),
    training: new TrainingService(db, jobs, models, { minImagesPerClass: config.TAILOR_MIN_IMAGES_PER_CLASS }),
    versions: new VersionService(db, models),
    predictions: new PredictionService(db, blobs, models, loader, config.TAILOR_PREDICTOR_CACHE_SIZE, {
      maxPixels: config.TAILOR_MAX_IMAGE_PIXELS,
      maxDimension: config.TAILOR_MAX_IMAGE_DIMENSION,
    }),
    notifications: new NotificationService(db, jobs, models, {
      allowPrivateUrls: config.TAILOR_ALLOW_PRIVATE_URLS,
      timeoutMs: config.TAILOR_URL_FETCH_TIMEOUT_MS,
      publicUrl: config.TAILOR_PUBLIC_URL,
    }),
  };
}
