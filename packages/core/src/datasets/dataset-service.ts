import type { Readable } from 'node:stream';
import type { Db } from '@tailor/db';
import type { BlobStore } from '@tailor/storage';
import type { ImageService } from '../images';
import type { ModelService } from '../models';
import type { QuotaService } from '../quotas';
import { exportDataset, type DatasetExport } from './dataset-export';
import { importDataset, type ImportLimits, type ImportResult } from './dataset-import';

/** Datasets leave and come back: a model's images as a zip, and a new model from such a zip. */
export class DatasetService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly models: ModelService,
    private readonly images: ImageService,
    private readonly limits: ImportLimits,
    private readonly quotas?: QuotaService,
  ) {}

  export(accountId: string, modelId: string): Promise<DatasetExport> {
    return exportDataset(this.db, this.blobs, this.models, accountId, modelId);
  }

  /** `body` is the zip as it arrives (a multipart file stream); it is spooled to disk within the size limit. */
  import(accountId: string, body: Readable, opts: { name?: string } = {}): Promise<ImportResult> {
    return importDataset({ models: this.models, images: this.images, quotas: this.quotas }, accountId, body, { ...opts, limits: this.limits });
  }
}
