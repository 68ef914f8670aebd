import type { Db } from '@tailor/db';
import type { BlobStore } from '@tailor/storage';
import { deleteBlobPrefix, releaseImageBlobs } from '../blobs';
import { BadRequestError, ConflictError, NotFoundError } from '../errors';
import type { QuotaService } from '../quotas';
import { architectureProblem } from './architecture';
import { BUSY_STATES, ModelState, STATUS_TEXT } from './model-state';
// eslint-disable-next-line no-control-regex -- control characters are exactly what a category name must not hold
const CATEGORY_NAME = /^[^\u0000-\u001f/\\]{1,100}$/;

export interface CreateModelInput {
  categories: string[];
  name?: string;
  architecture?: string;
  settings?: Record<string, unknown>;
}

export type ModelWithCounts = Awaited<ReturnType<ModelService['get']>>;

export class ModelService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly opts: { minImagesPerClass: number; quotas?: QuotaService },
  ) {}

  async create(accountId: string, input: CreateModelInput) {
    const categories = input.categories.map((c) => c.trim());
    const problems = [];
    if (categories.length < 2) problems.push({ reason: 'categories', message: 'At least two categories are required' });
    const bad = categories.filter((c) => !CATEGORY_NAME.test(c));
    if (bad.length) problems.push({ reason: 'categories', message: `Invalid category names: ${bad.map((b) => JSON.stringify(b)).join(', ')}` });
    const dupes = categories.filter((c, i) => categories.indexOf(c) !== i);
    if (dupes.length) problems.push({ reason: 'categories', message: `Duplicate categories: ${[...new Set(dupes)].join(', ')}` });
    if (categories.length > 1000) problems.push({ reason: 'categories', message: 'At most 1000 categories' });
    const architecture = input.architecture ?? 'auto';
    const badArchitecture = architectureProblem(architecture);
    if (badArchitecture) problems.push({ reason: 'architecture', message: badArchitecture });
    if (problems.length) throw new BadRequestError('Invalid model definition', problems);
    const data = {
      accountId,
      name: input.name,
      architecture,
      settings: (input.settings ?? {}) as object,
      state: ModelState.Created,
      status: STATUS_TEXT.created,
      categories: { create: categories.map((name, position) => ({ name, position })) },
    };
    const model = this.opts.quotas
      ? await this.opts.quotas.createWithin(accountId, 'models', (tx) => tx.model.create({ data }))
      : await this.db.model.create({ data });
    return this.get(accountId, model.id);
  }

  /** The model with per-category image counts. Another account's model is "not found". */
  async get(accountId: string, modelId: string) {
    if (!isUuid(modelId)) throw new NotFoundError('Model', modelId);
    const model = await this.db.model.findFirst({
      where: { id: modelId, accountId },
      include: MODEL_COUNTS,
    });
    if (!model) throw new NotFoundError('Model', modelId);
    return model;
  }

  async list(accountId: string) {
    return this.db.model.findMany({
      where: { accountId },
      orderBy: { createdAt: 'desc' },
      include: MODEL_COUNTS,
    });
  }

  async update(accountId: string, modelId: string, data: { name?: string; architecture?: string; settings?: Record<string, unknown> }) {
    await this.get(accountId, modelId);
    const badArchitecture = data.architecture === undefined ? undefined : architectureProblem(data.architecture);
    if (badArchitecture) throw new BadRequestError(badArchitecture, [{ reason: 'architecture', message: badArchitecture }]);
    await this.db.model.update({ where: { id: modelId }, data: { ...data, settings: data.settings as object | undefined } });
    return this.get(accountId, modelId);
  }

  /**
   * Adds a class (last in order). Trained versions keep their own class lists; like every class it needs the minimum
   * number of images before the next run can start (the status says so).
   */
  async addCategory(accountId: string, modelId: string, name: string) {
    const model = await this.get(accountId, modelId);
    const clean = checkCategoryName(name);
    if (model.categories.some((c) => c.name === clean)) throw new ConflictError(`The model already has a category '${clean}'`);
    if (model.categories.length >= 1000) throw new BadRequestError('At most 1000 categories');
    const position = Math.max(-1, ...model.categories.map((c) => c.position)) + 1;
    // The unique (model, name) index settles two concurrent adds of one name: the loser gets the conflict.
    await this.db.category.create({ data: { modelId: model.id, name: clean, position } }).catch((err: { code?: string }) => {
      throw err.code === 'P2002' ? new ConflictError(`The model already has a category '${clean}'`) : err;
    });
    await this.refreshDataState(model.id);
    return this.get(accountId, modelId);
  }

  /**
   * Renames a class; its images follow (they point at the category row). Versions already trained keep the name they
   * were trained with (they are immutable), so their predictions say the old name until the next run.
   */
  async renameCategory(accountId: string, modelId: string, from: string, to: string) {
    const model = await this.get(accountId, modelId);
    const category = model.categories.find((c) => c.name === from);
    if (!category) throw new NotFoundError('Category', from);
    const clean = checkCategoryName(to);
    if (clean === from) return model;
    if (model.categories.some((c) => c.name === clean)) throw new ConflictError(`The model already has a category '${clean}'`);
    await this.db.category.update({ where: { id: category.id }, data: { name: clean } }).catch((err: { code?: string }) => {
      throw err.code === 'P2002' ? new ConflictError(`The model already has a category '${clean}'`) : err;
    });
    // The "needs more images" status names classes.
    await this.refreshDataState(model.id);
    return this.get(accountId, modelId);
  }

  /**
   * Deletes the model's rows, then its files: its artifacts and projector caches, and each image blob no other model
   * shares (image blobs are content-addressed, `images/ab/cd/<sha256>`, one per distinct bytes across all models).
   * Rows go first so a failure half-way leaves unreferenced files, never rows pointing at missing files; such a
   * failure is returned (the model is gone either way) for the caller to log.
   */
  async delete(accountId: string, modelId: string): Promise<{ blobsDeleted: number; blobError?: Error }> {
    const model = await this.get(accountId, modelId);
    if (BUSY_STATES.includes(model.state)) {
      // A queued or running job would write into a deleted model; cancel it first.
      throw new BadRequestError('Cancel the model\'s training run before deleting it');
    }
    const images = await this.db.image.findMany({ where: { modelId }, select: { blobKey: true }, distinct: ['blobKey'] });
    const versions = await this.db.modelVersion.findMany({ where: { modelId }, select: { id: true } });
    await this.db.model.delete({ where: { id: modelId } });
    let blobsDeleted = 0;
    try {
      blobsDeleted += await deleteBlobPrefix(this.blobs, `models/${modelId}/`);
      for (const v of versions) blobsDeleted += await deleteBlobPrefix(this.blobs, `projector/versions/${v.id}/`);
      blobsDeleted += await releaseImageBlobs(this.db, this.blobs, images.map((i) => i.blobKey));
    } catch (err) {
      return { blobsDeleted, blobError: err as Error };
    }
    return { blobsDeleted };
  }

  /**
   * Recomputes state 0/1/2 from the uploaded data, unless the model is busy, hosted or errored (those states are
   * owned by training). Called after uploads and deletions.
   */
  async refreshDataState(modelId: string) {
    const model = await this.db.model.findUniqueOrThrow({
      where: { id: modelId },
      include: { categories: { include: { _count: { select: { images: true } } } } },
    });
    if (model.state > ModelState.ReadyToTrain || model.state === ModelState.Error) return;
    const total = model.categories.reduce((n, c) => n + c._count.images, 0);
    const short = model.categories.filter((c) => c._count.images < this.opts.minImagesPerClass).map((c) => c.name);
    const [state, status] =
      total === 0
        ? [ModelState.Created, STATUS_TEXT.created]
        : short.length
          ? [ModelState.DataUploaded, STATUS_TEXT.needsMoreData(short, this.opts.minImagesPerClass)]
          : [ModelState.ReadyToTrain, STATUS_TEXT.ready];
    // Conditional update: never overwrite a state training set meanwhile.
    await this.db.model.updateMany({ where: { id: modelId, state: { gte: 0, lte: 2 } }, data: { state, status } });
  }
}

function checkCategoryName(name: string): string {
  const clean = name.trim();
  if (!CATEGORY_NAME.test(clean)) {
    throw new BadRequestError(`Invalid category name ${JSON.stringify(name)}`, [{ reason: 'name', message: '1-100 characters, no control characters, slashes or backslashes', field: 'name' }]);
  }
  return clean;
}

/** Each category with its image count, and the model's unlabelled images (they count in no class). */
const MODEL_COUNTS = {
  categories: { orderBy: { position: 'asc' }, include: { _count: { select: { images: true } } } },
  _count: { select: { images: { where: { categoryId: null } } } },
} as const;

export function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
