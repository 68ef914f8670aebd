import { loadBackbone } from '../backbones/load-backbone';
import type { ResolveOptions } from '../backbones/resolve-file';
import { flipHorizontal } from '../augment/augment-image';
import { createImagePreprocessor, type EmbedInput } from '../embeddings/create-embedder';
import { irToOnnx } from '../onnx/export-onnx';
import { createOnnxRunner, type OnnxRunner } from '../onnx/onnx-session';
import type { FloatImage } from '../preprocess/image-types';
import { mapLimit } from '../preprocess/preprocess-image';
import { headProbabilities, multiTopBackbone } from './finetuned-backbone';
import { topSubgraph } from './top-subgraph';

export interface FinetuneMemberSpec {
  backbone: string;
  inputSize: number;
  invert?: boolean;
  cut: string;
  top: string;
  ttaViews: number;
}

/**
 * A fine-tuned member served as one onnxruntime graph: the frozen part once, every trained top (bagged models) on
 * it, pooled; the heads run in JS. Probabilities are averaged over models and test-time views.
 */
export interface FinetuneRunner {
  /** Width of `cutFeatures` (the pooled frozen map at the cut: a feature space for the OOD detector). */
  readonly cutDim: number;
  /** Test-time views the graph runs (1 = original, 2 = + flip), for every output. */
  readonly views: number;
  /**
   * probs: averaged over models and views [n x k]; cutFeatures: original view [n x cutDim]; frozen: each requested
   * frozen pooled layer, original rows then flipped rows [views * n x width].
   */
  predict(images: EmbedInput[]): Promise<{ probs: Float32Array; cutFeatures: Float32Array; frozen: Float32Array[] }>;
  release(): Promise<void>;
}

/**
 * `frozenLayers` (e.g. `pool_block_9`) are computed by the same pass from the frozen graph, so heads on frozen features
 * of the same backbone, input size and polarity cost no second decode and forward pass.
 */
export async function loadFinetuneRunner(
  spec: FinetuneMemberSpec,
  models: Array<Map<string, Float32Array>>,
  numClasses: number,
  opts: { threads?: number; resolve?: ResolveOptions; frozenLayers?: string[]; views?: number } = {},
): Promise<FinetuneRunner> {
  const { ir } = await loadBackbone(spec.backbone, opts.resolve);
  const sub = topSubgraph(ir, spec.cut, spec.top);
  const multi = multiTopBackbone(ir, sub, models);
  const cutOut = `pool_${spec.cut}`;
  const frozen = opts.frozenLayers ?? [];
  const runner: OnnxRunner = await createOnnxRunner(irToOnnx(multi.ir, { outputs: [cutOut, ...multi.outputs, ...frozen.filter((l) => l !== cutOut)] }), { threads: opts.threads ?? 2 });
  const prep = createImagePreprocessor({ backbone: spec.backbone, inputSize: spec.inputSize, invert: spec.invert });
  const cutDim = ir.layers.find((l) => l.name === spec.cut)!.shape[3];
  const s = spec.inputSize;
  const views = Math.min(2, Math.max(1, opts.views ?? spec.ttaViews));
  const own = Math.min(views, Math.max(1, spec.ttaViews));
  return {
    cutDim,
    views,
    async predict(images) {
      const n = images.length;
      const orig: FloatImage[] = await mapLimit(images, 4, (x) => prep.toFloat(x, 'orig', ''));
      const all = views === 2 ? [...orig, ...orig.map((f) => flipHorizontal(f) as FloatImage)] : orig;
      const batch = new Float32Array(all.length * s * s * 3);
      all.forEach((img, i) => batch.set(img.data, i * s * s * 3));
      const out = await runner.run(batch, [all.length, s, s, 3]);
      const probs = new Float32Array(n * numClasses);
      // The member averages its own test-time views (the pass may run more for the heads sharing it).
      const w = 1 / (own * models.length);
      models.forEach((params, m) => {
        const p = headProbabilities(out[multi.outputs[m]].data, all.length, params, numClasses);
        for (let v = 0; v < own; v++) for (let i = 0; i < n * numClasses; i++) probs[i] += p[v * n * numClasses + i] * w;
      });
      return { probs, cutFeatures: out[cutOut].data.slice(0, n * cutDim), frozen: frozen.map((l) => out[l].data) };
    },
    release: () => runner.release(),
  };
}
