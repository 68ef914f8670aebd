import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { NANONETS_FASHION_DIR } from '../../support/fixtures';

/**
 * A folder of class folders on disk, as a user would drop it: `<root>/<Class>/<file>.jpeg` with the first `n`
 * tutorial JPEGs of each class (`from` skips that many first).
 */
export function classFolder(root: string, classes: string[], n: number, from = 0): string {
  for (const cls of classes) {
    const dir = path.join(root, cls);
    mkdirSync(dir, { recursive: true });
    const src = path.join(NANONETS_FASHION_DIR, 'train', cls);
    for (const f of readdirSync(src).sort().slice(from, from + n)) copyFileSync(path.join(src, f), path.join(dir, f));
  }
  return root;
}
