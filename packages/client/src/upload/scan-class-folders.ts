import { readdir } from 'node:fs/promises';
import path from 'node:path';

export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp', '.tif', '.tiff']);

export interface LocalImage {
  category: string;
  file: string;
}

/**
 * A dataset folder as the tutorial lays it out: one sub-folder per class, images inside. Hidden entries are
 * skipped; files directly in the root are ignored (they have no class). Sorted, so runs are repeatable.
 */
export async function scanClassFolders(root: string): Promise<{ categories: string[]; images: LocalImage[] }> {
  const entries = await readdir(root, { withFileTypes: true });
  const categories = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  const images: LocalImage[] = [];
  for (const category of categories) {
    const files = await readdir(path.join(root, category), { withFileTypes: true });
    for (const f of files.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (f.isFile() && !f.name.startsWith('.') && IMAGE_EXTENSIONS.has(path.extname(f.name).toLowerCase())) {
        images.push({ category, file: path.join(root, category, f.name) });
      }
    }
  }
  return { categories, images };
}
