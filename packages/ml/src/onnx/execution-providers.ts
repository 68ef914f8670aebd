import { existsSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

export type OnnxProvider = 'cuda' | 'cpu';

let providers: OnnxProvider[] = ['cpu'];

/**
 * Where onnxruntime runs the frozen backbones and the fine-tuning graphs: the CPU (default), or CUDA first on a GPU
 * worker whose onnxruntime-node install fetched the CUDA 12 provider (Dockerfile.gpu), falling back to the CPU for
 * any op the provider lacks. Set once per process at start (from TAILOR_ONNX_PROVIDERS).
 */
export function configureOnnxProviders(list: readonly OnnxProvider[]): void {
  if (!list.length) throw new Error('at least one onnxruntime execution provider is needed');
  providers = [...list];
  if (!providers.includes('cpu')) providers.push('cpu');
}

export function onnxProviders(): OnnxProvider[] {
  return providers;
}

/** Providers this onnxruntime-node build can load here (CUDA only when its provider library was installed). */
export function availableOnnxProviders(): string[] {
  return ort.listSupportedBackends().filter((b) => b.bundled || providerLibraryPresent(b.name)).map((b) => b.name);
}

function providerLibraryPresent(name: string): boolean {
  if (name !== 'cuda') return false;
  try {
    const dir = path.dirname(require.resolve('onnxruntime-node/package.json'));
    return existsSync(`${dir}/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so`);
  } catch {
    return false;
  }
}
