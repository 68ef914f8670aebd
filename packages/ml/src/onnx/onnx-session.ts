import * as ort from 'onnxruntime-node';
import { onnxProviders } from './execution-providers';

export interface OnnxSessionOptions {
  /** Intra-op threads (default 2: the CI machine has 2 cores). */
  threads?: number;
  /**
   * Let idle pool threads spin-wait for work (default false). Spinning helps only on otherwise idle cores; here the
   * forward pass shares cores with sharp decoding and other processes, and with 2 threads on a busy 2-core machine a
   * batch of 32 at 96x96 took 193 ms spinning vs 139 ms without (1 thread: 142 ms).
   */
  spinning?: boolean;
}

export interface OnnxRunner {
  readonly outputNames: readonly string[];
  /** Runs one NHWC float batch; returns every model output by name. */
  run(input: Float32Array, shape: [number, number, number, number]): Promise<Record<string, { data: Float32Array; dims: number[] }>>;
  release(): Promise<void>;
}

/** Opens an onnxruntime-node CPU session over in-memory model bytes. */
export async function createOnnxRunner(model: Uint8Array, options: OnnxSessionOptions = {}): Promise<OnnxRunner> {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: onnxProviders(),
    intraOpNumThreads: options.threads ?? 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: options.spinning ? '1' : '0' } } },
  });
  const inputName = session.inputNames[0];
  return {
    outputNames: session.outputNames,
    async run(input, shape) {
      const feeds = { [inputName]: new ort.Tensor('float32', input, shape) };
      const result = await session.run(feeds);
      const out: Record<string, { data: Float32Array; dims: number[] }> = {};
      for (const [name, t] of Object.entries(result)) {
        out[name] = { data: t.data as Float32Array, dims: [...t.dims] };
        t.dispose();
      }
      return out;
    },
    release: () => session.release(),
  };
}
