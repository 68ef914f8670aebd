import { type ClassifierArtifact, validateManifest } from './artifact';

const MANIFEST = 'manifest.json';

/** Flattens an artifact to named files (`manifest.json` + the weight files) for a blob store or a directory. */
export function artifactToFiles(a: ClassifierArtifact): Record<string, Buffer> {
  if (MANIFEST in a.files) throw new Error(`artifact file name ${MANIFEST} is reserved`);
  return { [MANIFEST]: Buffer.from(JSON.stringify(a.manifest, null, 2)), ...a.files };
}

/** Inverse of artifactToFiles; validates the manifest. */
export function artifactFromFiles(files: Record<string, Buffer>): ClassifierArtifact {
  const raw = files[MANIFEST];
  if (!raw) throw new Error(`${MANIFEST} missing`);
  const manifest: unknown = JSON.parse(raw.toString('utf8'));
  validateManifest(manifest);
  const rest: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(files)) if (k !== MANIFEST) rest[k] = v;
  return { manifest, files: rest };
}
