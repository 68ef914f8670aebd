export { DatasetService } from './dataset-service';
export { canonicalManifest, summarizeDataset, parseManifestCsv, writeManifestCsv, MANIFEST_FILE, UNLABELED_FOLDER } from './dataset-manifest';
export type { DatasetSummary, ManifestRow } from './dataset-manifest';
export type { DatasetExport } from './dataset-export';
export type { ImportLimits, ImportResult } from './dataset-import';
