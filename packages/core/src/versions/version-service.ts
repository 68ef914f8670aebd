import type { Db } from '@tailor/db';
import { ConflictError, NotFoundError } from '../errors';
import { BUSY_STATES, isUuid, ModelState, STATUS_TEXT, type ModelService } from '../models';
import { compareOutOfFold, type OutOfFoldSide } from './compare-out-of-fold';

/** Version numbers are PostgreSQL `integer`s. */
const MAX_INT4 = 2 ** 31 - 1;

/** Model versions are immutable; the only change is which one is active (activate = roll forward or back). */
export class VersionService {
  constructor(
    private readonly db: Db,
    private readonly models: ModelService,
  ) {}

  async list(accountId: string, modelId: string) {
    const model = await this.models.get(accountId, modelId);
    return this.db.modelVersion.findMany({ where: { modelId: model.id }, orderBy: { number: 'desc' } });
  }

  /** The active version of a model the caller already holds (no ownership check). */
  activeFor(modelId: string) {
    return this.db.modelVersion.findFirst({ where: { modelId, active: true } });
  }

  /** A version by number (`3`) or id; anything that cannot name one (junk, `0`, past the int range) is not found. */
  async get(accountId: string, modelId: string, versionRef: string) {
    const model = await this.models.get(accountId, modelId);
    const number = /^\d{1,10}$/.test(versionRef) ? Number(versionRef) : undefined;
    const where =
      number !== undefined && number >= 1 && number <= MAX_INT4
        ? { modelId: model.id, number }
        : isUuid(versionRef)
          ? { modelId: model.id, id: versionRef }
          : undefined;
    const version = where ? await this.db.modelVersion.findFirst({ where }) : null;
    if (!version) throw new NotFoundError('Version', versionRef);
    return version;
  }

  /**
   * The images whose (out-of-fold) prediction changed from version `fromRef` to `toRef`; see compareOutOfFold for
   * why the evaluations suffice. Versions trained before runs recorded their image set compare nothing.
   */
  async compare(accountId: string, modelId: string, fromRef: string, toRef: string) {
    const [from, to] = [await this.get(accountId, modelId, fromRef), await this.get(accountId, modelId, toRef)];
    const side = async (v: typeof from): Promise<OutOfFoldSide> => {
      const run = await this.db.trainingRun.findUnique({ where: { id: v.runId }, select: { imageIds: true } });
      const m = (v.metrics ?? {}) as { misclassified?: OutOfFoldSide['misclassified']; skippedImages?: Array<{ id: string }> };
      return { imageIds: run?.imageIds ?? [], skippedIds: (m.skippedImages ?? []).map((s) => s.id), misclassified: m.misclassified ?? [] };
    };
    const [a, b] = [await side(from), await side(to)];
    const inB = new Set(b.imageIds);
    const both = a.imageIds.filter((id) => inB.has(id));
    const rows = await this.db.image.findMany({ where: { modelId: from.modelId, id: { in: both } }, select: { id: true, filename: true, category: { select: { name: true } } } });
    // An image whose label was cleared since has no class to be right or wrong about: it is not compared.
    const current = new Map(rows.flatMap((r) => (r.category ? [[r.id, { category: r.category.name, filename: r.filename }] as const] : [])));
    const result = compareOutOfFold(a, b, current);
    return { from: { number: from.number, evaluated: result.fromEvaluated }, to: { number: to.number, evaluated: result.toEvaluated }, method: 'out-of-fold' as const, compared: result.compared, fixed: result.fixed, broken: result.broken, changed: result.changed };
  }

  async activate(accountId: string, modelId: string, versionRef: string) {
    const version = await this.get(accountId, modelId, versionRef);
    await this.db.$transaction(async (tx) => {
      const model = await tx.model.findUniqueOrThrow({ where: { id: version.modelId } });
      if (model.state === ModelState.Error) throw new ConflictError('Model is in error state; retrain it first');
      await tx.modelVersion.updateMany({ where: { modelId: version.modelId, active: true }, data: { active: false } });
      await tx.modelVersion.update({ where: { id: version.id }, data: { active: true } });
      if (!BUSY_STATES.includes(model.state)) {
        await tx.model.update({ where: { id: model.id }, data: { state: ModelState.Hosted, status: STATUS_TEXT.hosted } });
      }
    });
    return this.get(accountId, modelId, version.id);
  }
}
