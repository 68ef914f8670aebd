import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidImageError, verifyImage, type PixelLimits } from '@tailor/ml/src/preprocess';
import { openZipFile, readZipDirectory, readZipEntry, sha256Hex, ZipFormatError, type ZipDirEntry, type ZipSource } from '@tailor/storage';
import { BadRequestError, ConflictError, PayloadTooLargeError, QuotaExceededError, type ErrorDetail } from '../errors';
import type { ImageService } from '../images';
import type { ModelService, ModelWithCounts } from '../models';
import type { QuotaService } from '../quotas';
import { MANIFEST_FILE, parseManifestCsv, summarizeDataset, UNLABELED_FOLDER, type DatasetSummary, type ManifestRow } from './dataset-manifest';

export interface ImportLimits {
  /** The zip itself, as uploaded (it is spooled to a temporary file, never held in memory). */
  maxZipBytes: number;
  /** Each image, decompressed: the upload limit. */
  maxFileBytes: number;
  maxImages: number;
  image: PixelLimits;
}

export interface ImportResult {
  model: ModelWithCounts;
  images: number;
  /** Files whose bytes were already imported under the same category (kept once, as an upload would). */
  duplicates: Array<{ file: string; sameAs: string }>;
  summary: DatasetSummary;
}

/** Files zip tools and desktops add that are no part of a dataset. */
const IGNORED = (p: string) => p.startsWith('__MACOSX/') || p.split('/').some((s) => s.startsWith('.') || /^(thumbs\.db|desktop\.ini)$/i.test(s));
const MAX_PROBLEMS = 20;
/** Images per ImageService.upload call in the writing pass (bounded memory: a batch is in memory at once). */
const BATCH_FILES = 16;
const BATCH_BYTES = 32 * 1024 * 1024;

/** Spools a stream to `file`, refusing it once it passes `max` bytes. */
async function spool(body: Readable, file: string, max: number): Promise<number> {
  let size = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > max) done(new PayloadTooLargeError(`The zip is larger than ${max} bytes (TAILOR_MAX_IMPORT_BYTES); nothing was imported`));
      else done(null, chunk);
    },
  });
  await pipeline(body, cap, createWriteStream(file));
  return size;
}

interface Layout {
  manifest?: ZipDirEntry;
  /** Category folders in the order they first appear. */
  folders: string[];
  images: Array<{ entry: ZipDirEntry; path: string; folder: string }>;
  problems: ErrorDetail[];
}

/**
 * Reads the zip's layout: `manifest.csv` (optional) and `<category>/<file>` entries, possibly all under one wrapping
 * folder (what zipping a folder gives). Anything else is a problem reported by path.
 */
function layout(entries: ZipDirEntry[]): Layout {
  const kept = entries.filter((e) => !IGNORED(e.name));
  const tops = new Set(kept.map((e) => e.name.split('/')[0]));
  const [top] = tops;
  const wrapped = tops.size === 1 && kept.every((e) => e.name.startsWith(`${top}/`)) && !kept.some((e) => !e.isDirectory && e.name.split('/').length === 2 && e.name !== `${top}/${MANIFEST_FILE}`);
  const out: Layout = { folders: [], images: [], problems: [] };
  for (const entry of kept) {
    const rel = wrapped ? entry.name.slice(top!.length + 1) : entry.name;
    if (!rel) continue;
    const parts = rel.replace(/\/$/, '').split('/');
    if (entry.isDirectory) {
      if (parts.length === 1 && !out.folders.includes(parts[0]!)) out.folders.push(parts[0]!);
      else if (parts.length > 1) out.problems.push(problem(entry.name, 'folders inside a category folder are not supported'));
      continue;
    }
    if (rel === MANIFEST_FILE) out.manifest = entry;
    else if (parts.length !== 2) out.problems.push(problem(entry.name, 'expected <category folder>/<image file>'));
    else {
      if (!out.folders.includes(parts[0]!)) out.folders.push(parts[0]!);
      out.images.push({ entry, path: rel, folder: parts[0]! });
    }
  }
  return out;
}

/** One problem with one file of the zip, named by its path (the message stands alone, as clients often show only it). */
const problem = (file: string, message: string): ErrorDetail => ({ reason: 'file', message: `${file}: ${message}`, field: file });

function tooMany(problems: ErrorDetail[]): BadRequestError {
  const shown = problems.slice(0, MAX_PROBLEMS);
  const more = problems.length - shown.length;
  return new BadRequestError(
    `The zip is not an importable dataset (${problems.length} problem${problems.length === 1 ? '' : 's'}); nothing was imported`,
    more > 0 ? [...shown, { reason: 'more', message: `and ${more} more` }] : shown,
  );
}

/**
 * Creates a model from a dataset zip (the layout `GET /v1/models/:id/dataset.zip` writes, or plain class folders):
 * same categories, byte-identical images. The zip is spooled to disk (capped), then read entry by entry twice: first
 * every image is decompressed (capped), decoded whole as an upload would be and checked against manifest.csv;
 * only if all of them pass is the model created and each image stored through the upload path. A failure while
 * storing deletes the new model again, so an import either happens whole or leaves nothing behind.
 */
export interface ImportDeps {
  models: ModelService;
  images: ImageService;
  quotas?: QuotaService;
}

export async function importDataset(
  deps: ImportDeps,
  accountId: string,
  body: Readable,
  opts: { name?: string; limits: ImportLimits },
): Promise<ImportResult> {
  const { limits } = opts;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tailor-import-'));
  try {
    const file = path.join(dir, 'dataset.zip');
    if ((await spool(body, file, limits.maxZipBytes)) === 0) throw new BadRequestError('The zip file is empty; nothing was imported');
    const src = await openZipFile(file);
    try {
      return await importFrom(src, deps, accountId, opts.name, limits);
    } finally {
      await src.close();
    }
  } catch (err) {
    if (err instanceof ZipFormatError) throw new BadRequestError(`Not a readable zip archive: ${err.message}; nothing was imported`);
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The whole import against the account's image quotas before anything is written (402 naming the quota). */
async function checkQuotas(quotas: QuotaService, accountId: string, images: number, bytes: number) {
  const usage = await quotas.usage(accountId);
  const over = (quota: 'images' | 'storedBytes', use: { used: number; limit: number | null }, adding: number, unit: string) => {
    if (use.limit !== null && use.used + adding > use.limit) {
      throw new QuotaExceededError(
        quota,
        `Quota exhausted: ${quota} (the zip adds ${adding} ${unit} to this account's ${use.used} of ${use.limit}); nothing was imported. Delete images or models, or ask the operator for a higher quota`,
      );
    }
  };
  over('images', usage.images, images, 'images');
  over('storedBytes', usage.storedBytes, bytes, 'bytes');
}

async function importFrom(src: ZipSource, deps: ImportDeps, accountId: string, name: string | undefined, limits: ImportLimits): Promise<ImportResult> {
  const found = layout(await readZipDirectory(src, { maxEntries: limits.maxImages * 2 + 1000 }));
  const problems = [...found.problems];
  if (found.images.length > limits.maxImages) throw new PayloadTooLargeError(`The zip holds ${found.images.length} images; an import takes at most ${limits.maxImages}`);
  if (!found.images.length) problems.push({ reason: 'zip', message: 'no image files in <category>/<file> folders' });

  // The manifest, when there is one, names each file's category (folder names may be changed for safety) and sha256.
  let rows: Map<string, ManifestRow> | undefined;
  if (found.manifest) {
    rows = new Map(parseManifestCsv((await readZipEntry(src, found.manifest, { maxBytes: 64 * 1024 * 1024 })).toString('utf8')).map((r) => [r.filename, r]));
    const present = new Set(found.images.map((i) => i.path));
    for (const r of rows.values()) if (!present.has(r.filename)) problems.push(problem(r.filename, `listed in ${MANIFEST_FILE} but not in the zip`));
    for (const i of found.images) if (!rows.has(i.path)) problems.push(problem(i.path, `not listed in ${MANIFEST_FILE} (remove the manifest to import plain class folders)`));
  }
  // A folder's category (null: unlabelled): the manifest's (empty = unlabelled), else the folder's name, except for
  // the unlabelled images' folder.
  const categoryOf = new Map<string, string | null>();
  for (const folder of found.folders) {
    const byName = folder === UNLABELED_FOLDER ? null : folder;
    const named = new Set(found.images.filter((i) => i.folder === folder).map((i) => (rows ? rows.get(i.path)?.category || null : byName)));
    if (named.size > 1) problems.push(problem(folder, `${MANIFEST_FILE} gives the files of this folder different categories`));
    categoryOf.set(folder, named.size ? [...named][0]! : byName);
  }
  if (problems.length) throw tooMany(problems);

  // Pass 1: every image decompressed, decoded whole and hashed; nothing is kept but the hash.
  const keep: Array<{ entry: ZipDirEntry; path: string; category: string | null; sha256: string; size: number }> = [];
  const duplicates: ImportResult['duplicates'] = [];
  const seen = new Map<string, { path: string; category: string | null }>();
  for (const img of found.images) {
    const category = categoryOf.get(img.folder)!;
    const report = (message: string) => problems.push(problem(img.path, message));
    let bytes: Buffer;
    try {
      bytes = await readZipEntry(src, img.entry, { maxBytes: limits.maxFileBytes });
      await verifyImage(bytes, limits.image);
    } catch (err) {
      if (err instanceof ZipFormatError || err instanceof InvalidImageError) {
        report(err.message.replace(`${img.entry.name} `, ''));
        continue;
      }
      throw err;
    }
    const sha256 = sha256Hex(bytes);
    const listed = rows?.get(img.path);
    if (listed && listed.sha256 !== sha256) report(`its sha256 is ${sha256}, ${MANIFEST_FILE} says ${listed.sha256}`);
    const first = seen.get(sha256);
    if (first && first.category !== category) report(`the same image is also ${first.path}, ${first.category === null || category === null ? 'labelled differently' : 'in another category'}`);
    else if (first) duplicates.push({ file: img.path, sameAs: first.path });
    else {
      seen.set(sha256, { path: img.path, category });
      keep.push({ ...img, category, sha256, size: bytes.length });
    }
  }
  if (problems.length) throw tooMany(problems);
  if (deps.quotas) await checkQuotas(deps.quotas, accountId, keep.length, keep.reduce((n, k) => n + k.size, 0));

  // Pass 2: the model, then each image through the upload path (its checks again, content-addressed storage).
  const categories = [...new Set(found.folders.map((f) => categoryOf.get(f)!).filter((c): c is string => c !== null))];
  const model = await deps.models.create(accountId, { categories, ...(name ? { name } : {}) });
  try {
    let batch: { category: string | null; files: Array<{ filename: string; bytes: Buffer }>; bytes: number } | undefined;
    const flush = async () => {
      if (!batch) return;
      const results = await deps.images.upload(accountId, model.id, batch.category, batch.files);
      const failed = results.find((r) => r.status !== 'stored');
      // Every file passed the same checks a moment ago, so a refusal now comes from the account (a quota running out).
      if (failed) throw new ConflictError(`Storing ${failed.file} was refused (${failed.message ?? failed.status}); nothing was imported`);
      batch = undefined;
    };
    for (const k of keep) {
      const bytes = await readZipEntry(src, k.entry, { maxBytes: limits.maxFileBytes });
      if (batch && (batch.category !== k.category || batch.files.length >= BATCH_FILES || batch.bytes + bytes.length > BATCH_BYTES)) await flush();
      batch ??= { category: k.category, files: [], bytes: 0 };
      batch.files.push({ filename: path.posix.basename(k.path), bytes });
      batch.bytes += bytes.length;
    }
    await flush();
  } catch (err) {
    // Nothing half-written: the new model goes, with every blob no other model shares.
    await deps.models.delete(accountId, model.id).catch(() => undefined);
    throw err;
  }
  return {
    model: await deps.models.get(accountId, model.id),
    images: keep.length,
    duplicates,
    summary: summarizeDataset(keep, categories),
  };
}
