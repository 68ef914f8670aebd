import type { Db } from '@tailor/db';
import { ConflictError, NotFoundError } from '../errors';
import { BUSY_STATES, ModelState, STATUS_TEXT, type ModelService } from '../models';

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

  async get(accountId: string, modelId: string, versionRef: string) {
    const model = await this.models.get(accountId, modelId);
    const where = /^\d+$/.test(versionRef) ? { modelId: model.id, number: Number(versionRef) } : { modelId: model.id, id: versionRef };
    const version = /^\d+$/.test(versionRef) || /^[0-9a-f-]{36}$/i.test(versionRef) ? await this.db.modelVersion.findFirst({ where }) : null;
    if (!version) throw new NotFoundError('Version', versionRef);
    return version;
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
