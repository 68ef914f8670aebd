import * as tf from '@tensorflow/tfjs';
import type { CnnArch } from './architectures';
import { predictProbabilities } from './evaluate';

/**
 * A trained CNN as two blobs: `modelJson` (Keras-style topology + weight manifest + Tailor metadata, UTF-8 JSON)
 * and `weights` (the concatenated little-endian float32 weights the manifest describes). Both can be stored as
 * they are (database row / object store) and loaded back with `loadCnn`.
 */
export interface CnnArtifact {
  modelJson: string;
  weights: Uint8Array;
}

export interface CnnMeta {
  format: 'tailor-cnn/1';
  arch: CnnArch;
  classes: string[];
  inputShape: [number, number, number];
  /** How service images must be turned into model input; see input.ts. */
  inputPolicy: 'greyscale-28x28-fill-unit';
}

interface ModelJson {
  meta: CnnMeta;
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
}

export async function saveCnn(model: tf.LayersModel, meta: Omit<CnnMeta, 'format' | 'inputPolicy'>): Promise<CnnArtifact> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      captured = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured?.modelTopology || !captured.weightSpecs || !captured.weightData) throw new Error('saveCnn: model.save produced no weights');
  const weightData = captured.weightData instanceof ArrayBuffer ? captured.weightData : tf.io.concatenateArrayBuffers(captured.weightData);
  const json: ModelJson = {
    meta: { format: 'tailor-cnn/1', inputPolicy: 'greyscale-28x28-fill-unit', ...meta },
    modelTopology: captured.modelTopology as object,
    weightSpecs: captured.weightSpecs,
  };
  return { modelJson: JSON.stringify(json), weights: new Uint8Array(weightData) };
}

export function readCnnMeta(artifact: CnnArtifact): CnnMeta {
  const json = JSON.parse(artifact.modelJson) as Partial<ModelJson>;
  if (json.meta?.format !== 'tailor-cnn/1') throw new Error(`not a Tailor CNN artifact (format ${String(json.meta?.format)})`);
  return json.meta;
}

/** A loaded CNN. `predict` takes NHWC float32 images in [0,1] (see input.ts) and returns probabilities [n, classes]. */
export interface CnnPredictor {
  meta: CnnMeta;
  model: tf.LayersModel;
  predict(images: Float32Array, n: number): Float32Array;
  dispose(): void;
}

export async function loadCnn(artifact: CnnArtifact): Promise<CnnPredictor> {
  const meta = readCnnMeta(artifact);
  const json = JSON.parse(artifact.modelJson) as ModelJson;
  const w = artifact.weights;
  const weightData = w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightSpecs, weightData }));
  return {
    meta,
    model,
    predict: (images, n) => predictProbabilities(model, images, n),
    dispose: () => model.dispose(),
  };
}
