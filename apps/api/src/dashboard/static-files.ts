import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Reads a folder of static files once, at start-up: a few dozen small files, so memory is cheaper than a disk read
 * per request, and the URL space is exactly the set of files that exist (no path traversal to guard against).
 */
export function loadStaticFiles(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (TYPES[path.extname(entry.name)] && !entry.name.endsWith('.d.ts')) {
        const body = readFileSync(full);
        const rel = path.relative(root, full).split(path.sep).join('/');
        files.set(rel, { body, type: TYPES[path.extname(entry.name)]!, etag: `"${createHash('sha1').update(body).digest('base64url')}"` });
      }
    }
  };
  walk(root);
  return files;
}
