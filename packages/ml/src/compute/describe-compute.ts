import os from 'node:os';
import { availableOnnxProviders, onnxProviders } from '../onnx/execution-providers';
import { initTf, tf } from '../tf/backend';

/** What this process computes with: logged at start and shown by /health, so a GPU worker that fell back is visible. */
export interface ComputeInfo {
  /** TensorFlow.js backend (heads, CNNs): 'tensorflow' (tfjs-node / tfjs-node-gpu), 'wasm' or 'cpu'. */
  tensorflowJs: string;
  /** True when the native TensorFlow backend sees a GPU. */
  tensorflowGpu: boolean;
  /** onnxruntime execution providers in use, in order (frozen backbones, fine-tuning). */
  onnxruntime: string[];
  /** Providers this onnxruntime build could load. */
  onnxruntimeAvailable: string[];
  cpus: number;
}

export async function describeCompute(): Promise<ComputeInfo> {
  const backend = await initTf();
  let gpu = false;
  if (backend === 'tensorflow') {
    // tfjs-node-gpu registers the same 'tensorflow' backend; its binding reports CUDA devices when it found them.
    const binding = (tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } }).binding;
    gpu = binding?.isUsingGpuDevice?.() ?? false;
  }
  return { tensorflowJs: backend, tensorflowGpu: gpu, onnxruntime: onnxProviders(), onnxruntimeAvailable: availableOnnxProviders(), cpus: os.cpus().length };
}
