import type { Db } from '@tailor/db';
// The build side of the ML package's export module: no TF.js, no onnxruntime.
import { buildExportBundle, type BundleModelFormat, type VersionFacts } from '@tailor/ml/src/export';
import { writeZip, type BlobStore } from '@tailor/storage';
import type { DatasetSummary } from '../datasets';
import type { ModelService } from '../models';
import type { StoredArtifacts } from '../prediction';
import type { VersionService } from '../versions';

export type ExportFormat = BundleModelFormat;

/**
 * A model version as a portable bundle (a zip): the whole classifier as one ONNX or TF.js graph, its labels,
 * preprocessing and model card. Built on request from the version's stored artifact and records.
 */
export class ModelExportService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly models: ModelService,
    private readonly versions: VersionService,
  ) {}

  async export(accountId: string, modelId: string, versionRef: string, format: ExportFormat) {
    const model = await this.models.get(accountId, modelId);
    const version = await this.versions.get(accountId, modelId, versionRef);
    const stored = version.artifacts as unknown as StoredArtifacts;
    const files: Record<string, Buffer> = {};
    for (const f of stored.files) files[f.name] = await this.blobs.getBuffer(`${version.artifactPrefix}/${f.name}`);
    const metrics = (version.metrics ?? {}) as Record<string, unknown>;
    const facts: VersionFacts = {
      modelId: model.id,
      modelName: model.name,
      version: version.number,
      createdAt: version.createdAt.toISOString(),
      architecture: version.architecture,
      seed: version.seed,
      settings: (version.settings ?? {}) as Record<string, unknown>,
      metrics,
      datasetSha256: version.datasetSha256,
      imagesPerClass: (metrics.dataset as DatasetSummary | undefined)?.perClass ?? (await this.snapshotCounts(version.runId, version.classes)),
      unlabeledImages: (metrics.dataset as DatasetSummary | undefined)?.unlabeled ?? 0,
    };
    const bundle = await buildExportBundle(files, facts, format);
    return {
      version,
      filename: `tailor-${model.id}-v${version.number}-${format}.zip`,
      zip: writeZip(bundle),
    };
  }

  /** Images per class of the run's snapshot, for versions published before the dataset summary was recorded. */
  private async snapshotCounts(runId: string, classes: string[]) {
    const run = await this.db.trainingRun.findUnique({ where: { id: runId }, select: { imageIds: true } });
    const images = await this.db.image.findMany({ where: { id: { in: run?.imageIds ?? [] } }, select: { category: { select: { name: true } } } });
    return classes.map((label) => ({ label, count: images.filter((i) => i.category?.name === label).length }));
  }
}
