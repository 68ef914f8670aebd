import type { Readable } from 'node:stream';
import type { Db } from '@tailor/db';
import { zipStream, type BlobStore, type ZipEntry } from '@tailor/storage';
import type { ModelService } from '../models';
import { MANIFEST_FILE, summarizeDataset, UNLABELED_FOLDER, writeManifestCsv, type DatasetSummary, type ManifestRow } from './dataset-manifest';

/**
 * A folder name for a category: category names never hold `/`, `\` or control characters (ModelService checks), but
 * one may be `.` or `..` or start with a dot (hidden, and skipped by unzip tools and by the import), or be the
 * unlabelled images' folder name. The manifest keeps the real name.
 */
export function categoryFolder(category: string): string {
  return category.startsWith('.') || category === UNLABELED_FOLDER ? `_${category}` : category;
}

/** A file name unique within its folder: the uploaded name when it is free and safe, else prefixed by the content hash. */
function fileName(original: string | null, sha256: string, format: string, taken: Set<string>): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a file name must not hold
  const base = (original ?? '').split(/[\\/]/).pop()!.replace(/[\u0000-\u001f]/g, '').trim();
  let name = base && !base.startsWith('.') ? base : `${sha256.slice(0, 16)}.${format === 'jpeg' ? 'jpg' : format}`;
  if (taken.has(name.toLowerCase())) name = `${sha256.slice(0, 16)}-${name}`;
  taken.add(name.toLowerCase());
  return name;
}

export interface DatasetExport {
  /** The zip, streamed: one image in memory at a time. */
  stream: Readable;
  summary: DatasetSummary;
  rows: ManifestRow[];
}

/**
 * A model's images as a zip of class folders holding the original files (byte for byte), with `manifest.csv` first
 * (id, category, sha256, path in the zip), then one folder per category in the model's order (empty ones too), and
 * the unlabelled images in `(unlabelled)/` (an empty category in the manifest). `summary.sha256` is the canonical
 * manifest's hash: a version trained on exactly these images records the same one.
 */
export async function exportDataset(db: Db, blobs: BlobStore, models: ModelService, accountId: string, modelId: string): Promise<DatasetExport> {
  const model = await models.get(accountId, modelId);
  const images = await db.image.findMany({
    where: { modelId: model.id },
    select: { id: true, sha256: true, blobKey: true, filename: true, format: true, createdAt: true, category: { select: { name: true, position: true } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  // Categories in the model's order, the unlabelled ones last; within each, in upload order.
  images.sort((a, b) => (a.category?.position ?? Infinity) - (b.category?.position ?? Infinity));
  const taken = new Map<string, Set<string>>();
  const files = images.map((im) => {
    const folder = im.category ? categoryFolder(im.category.name) : UNLABELED_FOLDER;
    const names = taken.get(folder) ?? new Set<string>();
    taken.set(folder, names);
    return { ...im, path: `${folder}/${fileName(im.filename, im.sha256, im.format, names)}` };
  });
  const rows = files.map((f) => ({ id: f.id, category: f.category?.name ?? '', sha256: f.sha256, filename: f.path }));
  async function* entries(): AsyncGenerator<ZipEntry> {
    yield { name: MANIFEST_FILE, data: Buffer.from(writeManifestCsv(rows), 'utf8') };
    // Every category as a folder, in the model's order, before its files: empty categories survive the round trip.
    for (const c of model.categories) yield { name: `${categoryFolder(c.name)}/`, data: Buffer.alloc(0) };
    if (taken.has(UNLABELED_FOLDER)) yield { name: `${UNLABELED_FOLDER}/`, data: Buffer.alloc(0) };
    for (const f of files) yield { name: f.path, data: await blobs.getBuffer(f.blobKey) };
  }
  const classes = model.categories.map((c) => c.name);
  return { stream: zipStream(entries()), summary: summarizeDataset(rows, classes), rows };
}
