import type { v1 } from '@tailor/contracts';
import type { Db } from '@tailor/db';
// File names and shapes only: the service never loads the engine.
import { INSIGHT_FILES, type StoredAudit, type StoredSuggestions } from '@tailor/ml/src/insights/insight-files';
import { BlobNotFoundError, type BlobStore } from '@tailor/storage';
import { classBalanceView } from './class-balance-view';
import { ConflictError } from '../errors';
import type { ModelService } from '../models';

type Current = Map<string, { label: string | null; filename: string | null }>;

/**
 * What a model's last training run learned about its data: the unlabelled images worth labelling next, and the
 * audit (likely label errors, copies, outliers, class balance). Both were computed by the run from its out-of-fold
 * predictions and embeddings; here they are read against the images as they are now, so labelling, relabelling or
 * deleting an image takes it off the lists at once, and the class balance is recomputed from the current labels.
 */
export class InsightsService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly models: ModelService,
  ) {}

  async suggestions(accountId: string, modelId: string, n: number): Promise<v1.SuggestionsView> {
    const { version, model, doc, snapshot } = await this.read<StoredSuggestions>(accountId, modelId, 'suggestions');
    const current = await this.current(model.id, doc.ranked.map((s) => s.imageId));
    const open = doc.ranked.filter((s) => current.has(s.imageId) && current.get(s.imageId)!.label === null);
    return {
      version,
      method: doc.method,
      suggestions: open.slice(0, n).map((s) => ({ ...s, filename: current.get(s.imageId)!.filename })),
      remaining: open.length,
      notRanked: await this.db.image.count({ where: { modelId: model.id, categoryId: null, id: { notIn: snapshot } } }),
    };
  }

  async audit(accountId: string, modelId: string): Promise<v1.AuditView> {
    const { version, model, doc, snapshot } = await this.read<StoredAudit>(accountId, modelId, 'audit');
    const a = doc.audit;
    const ids = [...a.labelErrors.map((e) => e.imageId), ...a.duplicates.flatMap((g) => g.images.map((i) => i.imageId)), ...a.outliers.map((o) => o.imageId)];
    const current = await this.current(model.id, ids);
    const now = (id: string) => ({ imageId: id, filename: current.get(id)!.filename, label: current.get(id)!.label });
    let resolved = 0;
    // A label error is dealt with once the image is gone or its label changed (to the suggestion or anything else).
    const labelErrors = a.labelErrors.filter((e) => (current.get(e.imageId)?.label === e.label ? true : (resolved++, false)));
    const duplicates = a.duplicates.flatMap((g) => {
      const images = g.images.filter((i) => current.has(i.imageId)).map((i) => now(i.imageId));
      if (images.length < 2) return (resolved++, []);
      const labels = new Set(images.flatMap((i) => (i.label === null ? [] : [i.label])));
      return [{ kind: g.kind, similarity: g.similarity, conflict: labels.size > 1, images }];
    });
    const outliers = a.outliers.filter((o) => (current.has(o.imageId) ? true : (resolved++, false)));
    return {
      version,
      labelErrors: labelErrors.map((e) => ({ ...e, ...now(e.imageId) })),
      duplicates,
      outliers: outliers.map((o) => ({ ...o, ...now(o.imageId) })),
      classBalance: classBalanceView(model.categories.map((c) => ({ label: c.name, count: c._count.images }))),
      resolved,
      notAudited: await this.db.image.count({ where: { modelId: model.id, id: { notIn: snapshot } } }),
      method: a.method,
    };
  }

  /** The active version's insight file, with the model and the run's image snapshot. */
  private async read<T>(accountId: string, modelId: string, kind: keyof typeof INSIGHT_FILES) {
    const model = await this.models.get(accountId, modelId);
    const version = await this.db.modelVersion.findFirst({ where: { modelId: model.id, active: true }, include: { run: { select: { imageIds: true } } } });
    if (!version) throw new ConflictError('The model has no trained version yet', [{ reason: 'not trained', message: `Train the model: the ${kind} comes from a training run` }]);
    try {
      const doc = JSON.parse((await this.blobs.getBuffer(`${version.artifactPrefix}/${INSIGHT_FILES[kind]}`)).toString('utf8')) as T;
      return { version: version.number, model, doc, snapshot: version.run.imageIds };
    } catch (err) {
      if (!(err instanceof BlobNotFoundError)) throw err;
      throw new ConflictError(`Version ${version.number} has no ${kind}`, [{ reason: 'not computed', message: `It was trained before runs computed the ${kind}, or by a tutorial CNN; train again` }]);
    }
  }

  private async current(modelId: string, ids: string[]): Promise<Current> {
    const rows = await this.db.image.findMany({ where: { modelId, id: { in: [...new Set(ids)] } }, select: { id: true, filename: true, category: { select: { name: true } } } });
    return new Map(rows.map((r) => [r.id, { label: r.category?.name ?? null, filename: r.filename }]));
  }
}
