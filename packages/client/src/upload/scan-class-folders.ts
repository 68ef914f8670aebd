import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp', '.tif', '.tiff']);

export interface LocalImage {
  category: string;
  file: string;
}

/**
 * A dataset folder as the tutorial lays it out: one sub-folder per class, images inside. Hidden entries are
 * skipped; files directly in the root are ignored (they have no class). Symbolic links are followed (a dataset is
 * often assembled from links to class folders or files kept elsewhere); a dangling link is skipped. Sorted, so runs
 * are repeatable.
 */
export async function scanClassFolders(root: string): Promise<{ categories: string[]; images: LocalImage[] }> {
  const entries = await readdir(root, { withFileTypes: true });
  const categories: string[] = [];
  for (const e of entries) if (!e.name.startsWith('.') && (await kind(root, e)) === 'dir') categories.push(e.name);
  categories.sort();
  const images: LocalImage[] = [];
  for (const category of categories) {
    const dir = path.join(root, category);
    const files = await readdir(dir, { withFileTypes: true });
    for (const f of files.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (f.name.startsWith('.') || !IMAGE_EXTENSIONS.has(path.extname(f.name).toLowerCase())) continue;
      if ((await kind(dir, f)) === 'file') images.push({ category, file: path.join(dir, f.name) });
    }
  }
  return { categories, images };
}

/** What an entry is, looking through a symbolic link to its target. */
async function kind(dir: string, entry: Dirent): Promise<'dir' | 'file' | 'other'> {
  if (entry.isDirectory()) return 'dir';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return 'other';
  const target = await stat(path.join(dir, entry.name)).catch(() => undefined);
  return target?.isDirectory() ? 'dir' : target?.isFile() ? 'file' : 'other';
}
