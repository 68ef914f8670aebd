import type { Db } from '@tailor/db';
// The sharp-only corner of the ML package: the upload check needs no TensorFlow.js.
import { InvalidImageError, verifyImage } from '@tailor/ml/src/preprocess';
import { contentKey, sha256Hex, type BlobStore } from '@tailor/storage';
import { releaseImageBlobs, withImageBlobLock } from '../blobs';
import { BadRequestError, NotFoundError } from '../errors';
import { isUuid, type ModelService, type ModelWithCounts } from '../models';
import { UploadAllowance, type QuotaService } from '../quotas';

export interface IncomingFile {
  filename: string;
  bytes: Buffer;
}

export type UploadStatus = 'stored' | 'duplicate' | 'rejected';

export interface UploadResult {
  file: string;
  status: UploadStatus;
  imageId?: string;
  sha256?: string;
  category?: string;
  /** Why a file was rejected, or for a duplicate, where it already is. */
  message?: string;
}

export interface ImageLimits {
  maxImageDimension: number;
  /** Width x height; the same limit applies to predictions. */
  maxImagePixels: number;
}

/**
 * Stores uploaded images: each file is decoded whole (in bounded memory) before anything is written, so a truncated
 * or corrupt file is refused here instead of failing a training run later; stored
 * content-addressed (identical bytes share one blob, so a retried upload overwrites instead of duplicating), and
 * recorded once per model — a second upload of the same bytes is reported as a duplicate.
 */
export class ImageService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly models: ModelService,
    private readonly limits: ImageLimits,
    private readonly quotas?: QuotaService,
  ) {}

  /** Stores the files under `categoryName`, or unlabelled when it is null (to be labelled later, or never). */
  async upload(accountId: string, modelId: string, categoryName: string | null, files: IncomingFile[]): Promise<UploadResult[]> {
    const model = await this.models.get(accountId, modelId);
    const category = categoryName === null ? null : findCategory(model, categoryName);
    // 402 before anything is read when the account has no room left; else files are taken while they fit.
    const allowance = this.quotas ? await this.quotas.uploadAllowance(accountId) : UploadAllowance.unlimited();
    const results: UploadResult[] = [];
    for (const file of files) {
      const overQuota = allowance.take(file.bytes.length);
      if (overQuota) {
        results.push({ file: file.filename, status: 'rejected', message: overQuota });
        continue;
      }
      const result = await this.storeOne(model.id, category, file);
      if (result.status !== 'stored') allowance.giveBack(file.bytes.length);
      results.push(result);
    }
    await this.models.refreshDataState(model.id);
    return results;
  }

  private async storeOne(modelId: string, category: { id: string; name: string } | null, file: IncomingFile): Promise<UploadResult> {
    const base = { file: file.filename };
    if (file.bytes.length === 0) return { ...base, status: 'rejected', message: 'empty file' };
    let info;
    try {
      info = await verifyImage(file.bytes, { maxPixels: this.limits.maxImagePixels, maxDimension: this.limits.maxImageDimension });
    } catch (err) {
      if (err instanceof InvalidImageError) return { ...base, status: 'rejected', message: err.message };
      throw err;
    }
    const sha256 = sha256Hex(file.bytes);
    const existing = await this.db.image.findUnique({
      where: { modelId_sha256: { modelId, sha256 } },
      include: { category: { select: { name: true } } },
    });
    if (existing) return duplicate(base, existing.id, sha256, existing.category?.name ?? null);
    const blobKey = contentKey(sha256);
    try {
      // Under the blob's lock: a model deletion sharing these bytes cannot remove the blob between check and insert.
      const image = await withImageBlobLock(this.db, blobKey, async (tx) => {
        if (!(await this.blobs.head(blobKey))) await this.blobs.put(blobKey, file.bytes, { contentType: `image/${info.format}` });
        return tx.image.create({
          data: {
            modelId,
            categoryId: category?.id ?? null,
            sha256,
            blobKey,
            filename: file.filename.slice(0, 255),
            format: info.format,
            size: file.bytes.length,
            width: info.width,
            height: info.height,
          },
        });
      });
      return { ...base, status: 'stored', imageId: image.id, sha256, ...(category ? { category: category.name } : {}) };
    } catch (err) {
      // A concurrent upload of the same bytes won the race on the unique (model, sha256) index.
      if ((err as { code?: string }).code === 'P2002') {
        const winner = await this.db.image.findUniqueOrThrow({
          where: { modelId_sha256: { modelId, sha256 } },
          include: { category: { select: { name: true } } },
        });
        return duplicate(base, winner.id, sha256, winner.category?.name ?? null);
      }
      throw err;
    }
  }

  /** A page of the model's images; `labeled` false lists the unlabelled ones, true the labelled ones. */
  async list(accountId: string, modelId: string, opts: { category?: string; labeled?: boolean; limit?: number; cursor?: string } = {}) {
    const model = await this.models.get(accountId, modelId);
    // The cursor is the last image id of the previous page; anything else cannot be one.
    if (opts.cursor !== undefined && !isUuid(opts.cursor)) {
      throw new BadRequestError('cursor is not valid', [{ reason: 'cursor', message: 'Pass the nextCursor of the previous page' }]);
    }
    return this.db.image.findMany({
      where: {
        modelId: model.id,
        ...(opts.category ? { category: { name: opts.category } } : {}),
        ...(opts.labeled === undefined ? {} : { categoryId: opts.labeled ? { not: null } : null }),
      },
      orderBy: { id: 'asc' },
      take: Math.min(opts.limit ?? 100, 1000),
      ...(opts.cursor ? { cursor: { id: opts.cursor }, skip: 1 } : {}),
      select: IMAGE_FIELDS,
    });
  }

  /**
   * Labels an image, changes its label or (with null) clears it. The next run trains on the new label; a run already
   * queued or running keeps the labels it was started with only as far as it has read them (it reads them at start).
   */
  async setLabel(accountId: string, modelId: string, imageId: string, categoryName: string | null) {
    const model = await this.models.get(accountId, modelId);
    const category = categoryName === null ? null : findCategory(model, categoryName);
    if (!isUuid(imageId)) throw new NotFoundError('Image', imageId);
    const res = await this.db.image.updateMany({ where: { id: imageId, modelId: model.id }, data: { categoryId: category?.id ?? null } });
    if (!res.count) throw new NotFoundError('Image', imageId);
    await this.models.refreshDataState(model.id);
    return this.db.image.findUniqueOrThrow({ where: { id: imageId }, select: IMAGE_FIELDS });
  }

  async getBytes(accountId: string, modelId: string, imageId: string) {
    const model = await this.models.get(accountId, modelId);
    if (!isUuid(imageId)) return undefined;
    const image = await this.db.image.findFirst({ where: { id: imageId, modelId: model.id } });
    if (!image) return undefined;
    return { image, bytes: await this.blobs.getBuffer(image.blobKey) };
  }

  async delete(accountId: string, modelId: string, imageId: string): Promise<boolean> {
    const model = await this.models.get(accountId, modelId);
    if (!isUuid(imageId)) return false;
    const image = await this.db.image.findFirst({ where: { id: imageId, modelId: model.id }, select: { blobKey: true } });
    if (!image) return false;
    const res = await this.db.image.deleteMany({ where: { id: imageId, modelId: model.id } });
    if (!res.count) return false;
    await this.models.refreshDataState(model.id);
    // The blob is content-addressed and may belong to other models too: it goes only when no image refers to it. A
    // running run may be reading it right now (a queued one drops deleted images when it starts): then it stays.
    const running = await this.db.trainingRun.count({
      where: { modelId: model.id, status: 'running', OR: [{ imageIds: { has: imageId } }, { imageIds: { isEmpty: true } }] },
    });
    if (!running) await releaseImageBlobs(this.db, this.blobs, [image.blobKey]);
    return true;
  }
}

const IMAGE_FIELDS = { id: true, sha256: true, filename: true, format: true, size: true, width: true, height: true, createdAt: true, category: { select: { name: true } } } as const;

function findCategory(model: ModelWithCounts, name: string) {
  const category = model.categories.find((c) => c.name === name);
  if (!category) {
    throw new BadRequestError(`Unknown category '${name}'`, [
      { reason: 'category', message: `The model's categories are: ${model.categories.map((c) => c.name).join(', ')}` },
    ]);
  }
  return category;
}

function duplicate(base: { file: string }, imageId: string, sha256: string, category: string | null): UploadResult {
  const where = category === null ? 'already uploaded, unlabelled' : `already uploaded to category '${category}'`;
  return { ...base, status: 'duplicate', imageId, sha256, ...(category === null ? {} : { category }), message: where };
}
