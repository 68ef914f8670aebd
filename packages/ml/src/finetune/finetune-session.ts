import * as ort from 'onnxruntime-node';
import { onnxProviders } from '../onnx/execution-providers';
import type { FinetuneGraphs } from './finetune-graphs';

/** One onnxruntime session per graph; parameters are fed on every call. */
export interface FinetuneSession {
  trainStep(x: Float32Array, n: number, y: Float32Array, mask: Float32Array, params: Float32Array[]): Promise<{ loss: number; grads: Float32Array[]; logits: Float32Array }>;
  predict(x: Float32Array, n: number, params: Float32Array[]): Promise<{ logits: Float32Array; features: Float32Array }>;
  release(): Promise<void>;
}

export async function createFinetuneSession(graphs: FinetuneGraphs, cutShapeHWC: [number, number, number], numClasses: number, threads = 2): Promise<FinetuneSession> {
  const opts: ort.InferenceSession.SessionOptions = {
    executionProviders: onnxProviders(),
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  const [train, predict] = await Promise.all([ort.InferenceSession.create(graphs.train, opts), ort.InferenceSession.create(graphs.predict, opts)]);
  const [h, w, c] = cutShapeHWC;
  const paramFeeds = (params: Float32Array[]) =>
    Object.fromEntries(graphs.paramNames.map((name, i) => [name, new ort.Tensor('float32', params[i], graphs.paramDims[i])]));
  const take = (t: ort.Tensor) => {
    const data = Float32Array.from(t.data as Float32Array);
    t.dispose();
    return data;
  };
  return {
    async trainStep(x, n, y, mask, params) {
      const out = await train.run({
        x: new ort.Tensor('float32', x.subarray(0, n * h * w * c), [n, h, w, c]),
        y: new ort.Tensor('float32', y.subarray(0, n * numClasses), [n, numClasses]),
        mask: new ort.Tensor('float32', mask.subarray(0, n * graphs.featureDim), [n, graphs.featureDim]),
        ...paramFeeds(params),
      });
      const loss = (out.loss.data as Float32Array)[0];
      const grads = graphs.paramNames.map((p) => take(out[`grad_${p}`]));
      out.loss.dispose();
      return { loss, grads, logits: take(out.logits) };
    },
    async predict(x, n, params) {
      const out = await predict.run({ x: new ort.Tensor('float32', x.subarray(0, n * h * w * c), [n, h, w, c]), ...paramFeeds(params) });
      return { logits: take(out.logits), features: take(out.features) };
    },
    async release() {
      await Promise.all([train.release(), predict.release()]);
    },
  };
}
