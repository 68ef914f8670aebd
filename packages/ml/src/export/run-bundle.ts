import * as ort from 'onnxruntime-node';
import { checkImageSize, DEFAULT_MAX_IMAGE_PIXELS, type PixelLimits } from '../preprocess/check-image';
import { BUNDLE_FORMAT, decide, OUTPUT_OOD, OUTPUT_PROBABILITIES, type BundlePreprocessing } from './bundle-format';
import { bundleInputShape, prepareBundleInput } from './bundle-inputs';

/** One image's result, in the shape of the service's `/v1` predict entries. */
export type BundlePrediction =
  | {
      file: string;
      ok: true;
      label: string;
      probability: number;
      outOfDistribution: boolean;
      oodScore: number;
      /** "Not sure": out of distribution, or the top probability below its class's threshold (preprocessing.json). */
      uncertain: boolean;
      prediction: Array<{ label: string; probability: number }>;
    }
  | { file: string; ok: false; error: string };

export interface OfflinePredictor {
  readonly labels: string[];
  readonly source: BundlePreprocessing['source'];
  /** Classifies encoded image files; a file that cannot be read or decoded gets its own error, as on the service. */
  predict(images: Array<{ name: string; bytes: Uint8Array }>, opts?: { topK?: number }): Promise<BundlePrediction[]>;
  release(): Promise<void>;
}

export interface OpenBundleOptions {
  threads?: number;
  /** The service's pixel limits (default 50 megapixels), applied from the header before decoding. */
  limits?: PixelLimits;
  /** Images per forward pass (default 16). */
  batchSize?: number;
}

/**
 * Reads an ONNX export bundle (its files, unzipped) and predicts offline with onnxruntime-node: the images go through
 * the service's preprocessing, the graph does the rest (views, members, averaging, OOD). No server, no TF.js.
 */
export async function openOnnxBundle(files: Map<string, Buffer>, opts: OpenBundleOptions = {}): Promise<OfflinePredictor> {
  const read = (name: string) => {
    const b = files.get(name);
    if (!b) throw new Error(`not a Tailor export bundle: ${name} is missing`);
    return b;
  };
  const pre = JSON.parse(read('preprocessing.json').toString('utf8')) as BundlePreprocessing;
  if (pre.format !== BUNDLE_FORMAT) throw new Error(`not a Tailor export bundle (preprocessing.json format ${String(pre.format)})`);
  if (pre.model.format !== 'onnx') throw new Error(`this bundle holds a ${pre.model.format} model; export it with --format onnx to run it offline`);
  const labels = JSON.parse(read('labels.json').toString('utf8')) as string[];
  const session = await ort.InferenceSession.create(read(pre.model.files[0]!), {
    executionProviders: ['cpu'],
    intraOpNumThreads: opts.threads ?? 2,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const limits = opts.limits ?? { maxPixels: DEFAULT_MAX_IMAGE_PIXELS };
  const batchSize = opts.batchSize ?? 16;

  /** One forward pass over prepared images (per input, one array per image). */
  const run = async (prepared: Array<Map<string, Float32Array>>) => {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of pre.inputs) {
      const shape = bundleInputShape(input, prepared.length);
      const per = shape[1] * shape[2] * shape[3];
      const data = new Float32Array(per * prepared.length);
      prepared.forEach((p, i) => data.set(p.get(input.name)!, i * per));
      feeds[input.name] = new ort.Tensor('float32', data, shape);
    }
    const out = await session.run(feeds);
    return { probs: out[OUTPUT_PROBABILITIES]!.data as Float32Array, ood: out[OUTPUT_OOD]!.data as Float32Array };
  };

  return {
    labels,
    source: pre.source,
    async predict(images, popts = {}) {
      const k = labels.length;
      const topK = Math.max(1, Math.min(k, popts.topK ?? k));
      const results: BundlePrediction[] = new Array(images.length);
      for (let s = 0; s < images.length; s += batchSize) {
        // Header check and decode per image, so one bad file gets its own error and does not fail its neighbours.
        const ok: Array<{ i: number; inputs: Map<string, Float32Array> }> = [];
        for (let i = s; i < Math.min(images.length, s + batchSize); i++) {
          const img = images[i]!;
          try {
            await checkImageSize(img.bytes, limits);
            const inputs = new Map<string, Float32Array>();
            for (const input of pre.inputs) inputs.set(input.name, await prepareBundleInput(img.bytes, input));
            ok.push({ i, inputs });
          } catch (err) {
            results[i] = { file: img.name, ok: false, error: (err as Error).message };
          }
        }
        if (!ok.length) continue;
        const { probs, ood } = await run(ok.map((x) => x.inputs));
        ok.forEach(({ i }, j) => {
          const prediction = labels
            .map((label, c) => ({ label, probability: probs[j * k + c]! }))
            .sort((a, b) => b.probability - a.probability)
            .slice(0, topK);
          results[i] = {
            file: images[i]!.name,
            ok: true,
            label: prediction[0]!.label,
            probability: prediction[0]!.probability,
            ...decide(probs.subarray(j * k, (j + 1) * k), ood[j]!, pre.decision),
            oodScore: ood[j]!,
            prediction,
          };
        });
      }
      return results;
    },
    release: () => session.release(),
  };
}
