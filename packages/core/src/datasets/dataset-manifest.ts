import { createHash } from 'node:crypto';
import { BadRequestError } from '../errors';

/** One image of a dataset as a manifest lists it. */
export interface ManifestRow {
  id: string;
  /** Empty for an unlabelled image. */
  category: string;
  sha256: string;
  /** The file's path inside the dataset zip: `<category folder>/<file name>`. */
  filename: string;
}

/** What identifies a dataset's content: which bytes carry which label. Ids and file names do not. */
export interface DatasetSummary {
  /** sha256 of the canonical manifest (see `canonicalManifest`). */
  sha256: string;
  images: number;
  perClass: Array<{ label: string; count: number }>;
  /** Images without a label (uploaded unlabelled; training may learn from them without scoring them). */
  unlabeled: number;
}

export const MANIFEST_FILE = 'manifest.csv';
/** The folder unlabelled images travel in (no category name can be it: see categoryFolder). */
export const UNLABELED_FOLDER = '(unlabelled)';
const HEADER = ['id', 'category', 'sha256', 'filename'] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The canonical manifest of a set of images: one `<sha256>,<category>` line per image (the category quoted as in CSV
 * when it must be, empty for an unlabelled image), sorted by sha256, each line ending in `\n`. It depends only on the
 * files' bytes and their labels, so the same images hash the same after an export and an import (new ids), and any
 * added, removed or relabelled image changes it.
 */
export function canonicalManifest(images: Array<{ category: string | null; sha256: string }>): string {
  return images
    .map((i) => `${i.sha256},${csvField(i.category ?? '')}\n`)
    .sort()
    .join('');
}

/** The hash a version records of the images it trained on, and the per-class counts beside it. */
export function summarizeDataset(images: Array<{ category: string | null; sha256: string }>, classes: string[]): DatasetSummary {
  const counts = new Map(classes.map((c) => [c, 0]));
  let unlabeled = 0;
  for (const i of images) {
    if (!i.category) unlabeled++;
    else counts.set(i.category, (counts.get(i.category) ?? 0) + 1);
  }
  return {
    sha256: createHash('sha256').update(canonicalManifest(images), 'utf8').digest('hex'),
    images: images.length,
    perClass: [...counts].map(([label, count]) => ({ label, count })),
    unlabeled,
  };
}

/** `manifest.csv` of a dataset zip: a header, then one row per image. */
export function writeManifestCsv(rows: ManifestRow[]): string {
  return [HEADER.join(','), ...rows.map((r) => HEADER.map((k) => csvField(r[k])).join(','))].join('\r\n') + '\r\n';
}

/** Parses a `manifest.csv` (RFC 4180, with the header above; extra columns are ignored). */
export function parseManifestCsv(text: string): ManifestRow[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a BOM, as spreadsheets write
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw new BadRequestError(`${MANIFEST_FILE} has an unterminated quoted field`);
  if (field !== '' || record.length) records.push([...record, field]);
  const [header, ...body] = records.filter((r) => !(r.length === 1 && r[0] === ''));
  const cols = HEADER.map((h) => header?.indexOf(h) ?? -1);
  if (!header || cols.some((c) => c < 0)) {
    throw new BadRequestError(`${MANIFEST_FILE} must start with the header ${HEADER.join(',')}`, [
      { reason: MANIFEST_FILE, message: `found: ${(header ?? []).join(',').slice(0, 200) || 'an empty file'}` },
    ]);
  }
  return body.map((r, n) => {
    const [id, category, sha256, filename] = cols.map((c) => r[c] ?? '');
    if (!/^[0-9a-f]{64}$/.test(sha256!) || !filename) {
      throw new BadRequestError(`${MANIFEST_FILE} line ${n + 2} is not valid`, [
        { reason: MANIFEST_FILE, message: 'each row needs a lowercase hex sha256 and the file\'s path in the zip (and its category, empty if unlabelled)' },
      ]);
    }
    return { id: id!, category: category!, sha256: sha256!, filename: filename! };
  });
}
