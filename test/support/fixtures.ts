import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@tailor/config';

/** The NanoNets tutorial's JPEGs in class folders (configurable for machines that keep ../shared elsewhere). */
export const NANONETS_FASHION_DIR =
  process.env.NANONETS_FASHION_DIR ?? path.join(REPO_ROOT, '..', 'shared', 'datasets', 'nanonets-fashion');
export const BACKBONE_SAMPLES_DIR = path.join(process.env.TAILOR_BACKBONE_DIR ?? path.join(REPO_ROOT, '..', 'shared', 'backbones'), 'samples');

export const FASHION_CLASSES = ['Tshirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle_Boot'];

/** The first `n` images of a class, as real files. */
export function fashionImages(split: 'train' | 'test', cls: string, n: number): Array<{ name: string; bytes: Buffer }> {
  const dir = path.join(NANONETS_FASHION_DIR, split, cls);
  return readdirSync(dir)
    .sort()
    .slice(0, n)
    .map((name) => ({ name, bytes: readFileSync(path.join(dir, name)) }));
}

export function sampleImage(name: string): Buffer {
  return readFileSync(path.join(BACKBONE_SAMPLES_DIR, name));
}

/** A multipart body as the tutorial scripts send it: `file` part(s) plus form fields. */
export function form(fields: Record<string, string | string[]>, files: Array<{ name: string; bytes: Buffer; type?: string }> = []): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) fd.append(k, one);
  for (const f of files) fd.append('file', new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'image/jpeg' }), f.name);
  return fd;
}

/** form-urlencoded with repeated keys, as Python requests sends `data={'categories': [...]}`. */
export function urlencoded(fields: Record<string, string | string[]>): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) p.append(k, one);
  return p;
}
