export { BACKBONES, getBackboneSpec, type BackboneName, type BackboneSpec, type BackboneSource } from './catalog';
export {
  BackboneIntegrityError,
  defaultBackboneDir,
  defaultCacheDir,
  resolveBackboneBytes,
  sha256Hex,
  type ResolveOptions,
} from './resolve-file';
export { backboneOnnx, loadBackbone, loadBackboneLabels, type LoadedBackbone } from './load-backbone';
export { buildTfjsBackbone, type TfjsBackbone, type TfjsBackboneOptions } from './tfjs-backbone';
