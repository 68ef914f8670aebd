import { backboneOnnx } from '../backbones/load-backbone';
import type { ResolveOptions } from '../backbones/resolve-file';
import { createImagePreprocessor, inputIdentity, type EmbedInput } from '../embeddings/create-embedder';
import type { EmbeddingView } from '../embeddings/embedding-cache';
import { createOnnxRunner } from '../onnx/onnx-session';

/** A backbone's feature map at the cut, per image and view: NHWC rows of h*w*c floats. */
export interface CutActivations {
  /** One [n * h * w * c] array per view, in the order of `views`. */
  views: Float32Array[];
  viewNames: EmbeddingView[];
  n: number;
  /** [h, w, c] */
  shape: [number, number, number];
}

export interface CutOptions {
  backbone: string;
  cut: string;
  inputSize: number;
  invert?: boolean;
  threads?: number;
  batchSize?: number;
  resolve?: ResolveOptions;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the frozen part of the backbone (up to and including the cut layer) once per image and view on onnxruntime.
 * Fine-tuning then trains the top from these maps, so each augmented view costs one frozen forward pass in all.
 */
export async function extractCutActivations(inputs: EmbedInput[], views: EmbeddingView[], opts: CutOptions): Promise<CutActivations> {
  const prep = createImagePreprocessor({ backbone: opts.backbone, inputSize: opts.inputSize, invert: opts.invert });
  const runner = await createOnnxRunner(await backboneOnnx(opts.backbone, [opts.cut], undefined, opts.resolve), { threads: opts.threads ?? 2 });
  const batchSize = opts.batchSize ?? 32;
  const ids = views.some((v) => v.startsWith('aug:')) ? inputs.map(inputIdentity) : inputs.map(() => '');
  const s = opts.inputSize;
  let shape: [number, number, number] | undefined;
  const out: Float32Array[] = new Array(views.length);
  let done = 0;
  try {
    // Image batches outside, views inside: each image is decoded and resized once, its views made from that.
    const prepare = (start: number) => {
      const p = Promise.all(inputs.slice(start, start + batchSize).map((x) => prep.decode(x)));
      p.catch(() => undefined); // surfaced when awaited
      return p;
    };
    let next = inputs.length ? prepare(0) : undefined;
    for (let start = 0; start < inputs.length; start += batchSize) {
      const decoded = await next!;
      next = start + batchSize < inputs.length ? prepare(start + batchSize) : undefined;
      for (const [v, view] of views.entries()) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
        const batch = new Float32Array(decoded.length * s * s * 3);
        decoded.forEach((img, j) => batch.set(prep.applyView(img, view, ids[start + j]).data, j * s * s * 3));
        const result = (await runner.run(batch, [decoded.length, s, s, 3]))[opts.cut];
        if (!shape) shape = [result.dims[1], result.dims[2], result.dims[3]];
        const per = shape[0] * shape[1] * shape[2];
        out[v] ??= new Float32Array(inputs.length * per);
        out[v].set(result.data, start * per);
        done += decoded.length;
        opts.onProgress?.(done, inputs.length * views.length);
      }
    }
  } finally {
    await runner.release();
  }
  return { views: out, viewNames: views, n: inputs.length, shape: shape ?? [0, 0, 0] };
}
