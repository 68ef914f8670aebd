import { initTf, tf } from '../tf/backend';
import { BUNDLE_FORMAT, decide, OUTPUT_OOD, OUTPUT_PROBABILITIES, type BundlePreprocessing } from './bundle-format';
import { bundleInputShape, prepareBundleInput } from './bundle-inputs';
import type { BundlePrediction } from './run-bundle';

/**
 * Loads a TF.js export bundle in Node (the browser does the same with its own decoding) and predicts with the
 * service's preprocessing: how the TF.js export is checked against the hosted model.
 */
export async function openTfjsBundle(files: Map<string, Buffer>) {
  await initTf();
  const read = (name: string) => {
    const b = files.get(name);
    if (!b) throw new Error(`not a Tailor export bundle: ${name} is missing`);
    return b;
  };
  const pre = JSON.parse(read('preprocessing.json').toString('utf8')) as BundlePreprocessing;
  if (pre.format !== BUNDLE_FORMAT || pre.model.format !== 'tfjs') throw new Error('not a TF.js export bundle');
  const json = JSON.parse(read('model.json').toString('utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
    signature: object;
  };
  const weights = read('weights.bin');
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
      signature: json.signature,
    } as tf.io.ModelArtifacts),
  );
  const labels = JSON.parse(read('labels.json').toString('utf8')) as string[];
  return {
    labels,
    model,
    async predict(images: Array<{ name: string; bytes: Uint8Array }>): Promise<BundlePrediction[]> {
      const feeds: Record<string, tf.Tensor> = {};
      for (const input of pre.inputs) {
        const shape = bundleInputShape(input, images.length);
        const per = shape[1] * shape[2] * shape[3];
        const data = new Float32Array(per * images.length);
        for (const [i, img] of images.entries()) data.set(await prepareBundleInput(img.bytes, input), i * per);
        feeds[input.name] = tf.tensor4d(data, shape);
      }
      const [p, o] = model.execute(feeds, [OUTPUT_PROBABILITIES, OUTPUT_OOD]) as tf.Tensor[];
      const probs = (await p!.data()) as Float32Array;
      const ood = (await o!.data()) as Float32Array;
      tf.dispose([p!, o!, ...Object.values(feeds)]);
      const k = labels.length;
      return images.map((img, j) => {
        const prediction = labels.map((label, c) => ({ label, probability: probs[j * k + c]! })).sort((a, b) => b.probability - a.probability);
        const flags = decide(probs.subarray(j * k, (j + 1) * k), ood[j]!, pre.decision);
        return { file: img.name, ok: true, label: prediction[0]!.label, probability: prediction[0]!.probability, ...flags, oodScore: ood[j]!, prediction };
      });
    },
    dispose: () => model.dispose(),
  };
}
