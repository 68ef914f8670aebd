import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultBackboneDir } from './resolve-file';

/** The five real photos shipped beside the backbones (shared/backbones/samples), for tests and benches. */
export function readSampleImages(): { name: string; bytes: Buffer }[] {
  const dir = path.join(defaultBackboneDir(), 'samples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .map((name) => ({ name, bytes: readFileSync(path.join(dir, name)) }));
}
