import { irToOnnx } from '../onnx/export-onnx';
import type { IrGraph, IrLayerInfo } from '../tflite/ir';
import { readTflite } from '../tflite/read-tflite';
import { tfliteToIr } from '../tflite/to-ir';
import { getBackboneSpec, type BackboneSpec } from './catalog';
import { resolveBackboneBytes, type ResolveOptions } from './resolve-file';

export interface LoadedBackbone {
  spec: BackboneSpec;
  ir: IrGraph;
  /** Named layers with their NHWC shapes at the reference size (224). */
  layers: IrLayerInfo[];
}

const irCache = new Map<string, Promise<LoadedBackbone>>();
const onnxCache = new Map<string, Uint8Array>();

/** Resolves, verifies and imports a backbone once per process. */
export function loadBackbone(name: string, opts: ResolveOptions = {}): Promise<LoadedBackbone> {
  const spec = getBackboneSpec(name);
  const key = `${name}|${opts.localDir ?? ''}|${opts.cacheDir ?? ''}`;
  let hit = irCache.get(key);
  if (!hit) {
    hit = resolveBackboneBytes(spec, opts).then((bytes) => {
      const ir = tfliteToIr(readTflite(bytes), spec.nameLayer);
      return { spec, ir, layers: ir.layers };
    });
    hit.catch(() => irCache.delete(key));
    irCache.set(key, hit);
  }
  return hit;
}

/**
 * ONNX bytes exposing `outputs` (layer names or `pool_<layer>`), plus their concatenation as `concatAs` when given.
 * Cached in memory per process.
 */
export async function backboneOnnx(name: string, outputs: string[], concatAs?: string, opts: ResolveOptions = {}): Promise<Uint8Array> {
  const key = `${name}|${outputs.join(',')}|${concatAs ?? ''}|${opts.localDir ?? ''}`;
  let bytes = onnxCache.get(key);
  if (!bytes) {
    const { ir } = await loadBackbone(name, opts);
    bytes = irToOnnx(ir, { outputs, concatAs });
    onnxCache.set(key, bytes);
  }
  return bytes;
}

/** ImageNet labels of a classifier backbone (index 0 = background), verified by sha256 like the model file. */
export async function loadBackboneLabels(name: string, opts: ResolveOptions = {}): Promise<string[]> {
  const spec = getBackboneSpec(name);
  if (!spec.labels) throw new Error(`backbone ${name} has no class labels`);
  const text = Buffer.from(await resolveBackboneBytes(spec.labels, { ...opts, url: undefined })).toString('utf8');
  return text.replace(/\r/g, '').replace(/\n+$/, '').split('\n');
}
