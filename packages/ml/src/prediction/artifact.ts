import type { CnnArch, CnnArtifact } from '../cnn';
import type { HeadConfig, NamedWeight, TrainedHead } from '../heads/types';

export const ARTIFACT_FORMAT = 'tailor.classifier';
export const ARTIFACT_VERSION = 1;

/**
 * A trained classifier as files: `manifest` is JSON (store it as `manifest.json`), `files` are little-endian float32
 * arrays named by relative path (store each as its own blob). The backbone itself is not included: it is referenced
 * by name and resolved (and sha256-verified) by the backbone registry, so an artifact is ~1-3 MB.
 */
export interface ClassifierArtifact {
  manifest: ClassifierManifest;
  files: Record<string, Buffer>;
}

export interface ArtifactFeatureSet {
  name: string;
  backbone: string;
  inputSize: number;
  /** Pooled layers concatenated in this order. */
  layers: string[];
  dim: number;
  /** Embedded as negatives (255 - p); absent = false (artifacts written before polarity existed). */
  invert?: boolean;
}

export interface ArtifactTensorRef {
  file: string;
  shape: number[];
}

/** A head on one feature set. */
export interface ArtifactHeadMember {
  name: string;
  kind: 'head';
  featureSet: string;
  /** 1 = original only, 2 = original + horizontal flip averaged. */
  ttaViews: number;
  head: { config: HeadConfig; inputDim: number; numClasses: number; bestEpoch: number };
  /** W1, b1 (+ W2, b2), mean, std. */
  tensors: Record<string, ArtifactTensorRef>;
}

/** A tutorial CNN trained from scratch on the 28x28 greyscale images (cnn/input.ts), stored as tfjs files. */
export interface ArtifactCnnMember {
  name: string;
  kind: 'cnn';
  arch: CnnArch;
  files: { modelJson: string; weights: string };
}

/**
 * A fine-tuned backbone top: the layers after `cut` up to `top` were trained (their weights are stored here, the rest
 * comes from the named backbone), then pooled into a softmax head. Served as one onnxruntime graph.
 */
export interface ArtifactFinetuneMember {
  name: string;
  kind: 'finetune';
  backbone: string;
  inputSize: number;
  invert?: boolean;
  cut: string;
  top: string;
  /** The backbone layers whose weights fine-tuning changed, in graph order. */
  trainedLayers: string[];
  ttaViews: number;
  /**
   * One or more trained tops (e.g. the cross-validation folds' models, averaged: bagging), each as its tensors by
   * graph parameter name (`<op>_w` OIHW, `<op>_b`, `head_w` [K,D], `head_b` [K]). They share the frozen part.
   */
  models: Array<Record<string, ArtifactTensorRef>>;
}

export type ArtifactMember = ArtifactHeadMember | ArtifactCnnMember | ArtifactFinetuneMember;

/**
 * The "none of the above" detector on one feature space (`featureSet`, or `member:<k>`: a fine-tuned member's pooled
 * cut map). `oodScore` is reported relative to `threshold` (1 = at the threshold, above = out of distribution).
 */
interface ArtifactOodCommon {
  featureSet: string;
  /** Percentile of the in-distribution scores the threshold sits at (out-of-fold scores since `measured` exists). */
  percentile: number;
  threshold: number;
  /** How the detector was chosen and how well it separates held-out classes (absent in older artifacts). */
  measured?: { heldOutClassAuroc: number; thresholdFrom: 'out-of-fold' };
}

/** Squared distance to the nearest class centroid in standardised feature space, per feature. */
export interface ArtifactOodCentroid extends ArtifactOodCommon {
  method: 'nearest-centroid';
  tensors: { mean: ArtifactTensorRef; std: ArtifactTensorRef; centroids: ArtifactTensorRef };
}

/** One minus the cosine similarity to the k-th nearest training image (rows of `bank`, unit length). */
export interface ArtifactOodKnn extends ArtifactOodCommon {
  method: 'knn';
  k: number;
  /** `bank` [n, dim]; `mean`/`std` when the features are standardised before normalising. */
  tensors: { bank: ArtifactTensorRef; mean?: ArtifactTensorRef; std?: ArtifactTensorRef };
}

export type ArtifactOod = ArtifactOodCentroid | ArtifactOodKnn;

/** Temperature scaling of the averaged probabilities (softmax(log p / T)); absent in older artifacts (T = 1). */
export interface ArtifactCalibration {
  method: 'temperature' | 'none';
  temperature: number;
}

/**
 * "Not sure": a prediction whose calibrated top probability is below its class's threshold is flagged uncertain.
 * Thresholds above 1 mean that class is never predicted with the target precision.
 */
export interface ArtifactThresholds {
  targetPrecision: number;
  perClass: number[];
}

export interface ClassifierManifest {
  format: typeof ARTIFACT_FORMAT;
  version: typeof ARTIFACT_VERSION;
  classes: string[];
  featureSets: ArtifactFeatureSet[];
  /** Probabilities are the average of the members' (one member unless an ensemble won the selection). */
  members: ArtifactMember[];
  ood: ArtifactOod;
  /** Absent in artifacts written before calibration existed: probabilities are served as averaged. */
  calibration?: ArtifactCalibration;
  /** Absent in older artifacts: only out-of-distribution images are flagged uncertain. */
  thresholds?: ArtifactThresholds;
  training: { seed: number; cvAccuracy: number; folds: number; trainImages: number };
}

export function f32ToBuffer(values: Float32Array): Buffer {
  const out = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i], i * 4);
  return out;
}

export function bufferToF32(buf: Buffer, expectedLength?: number): Float32Array {
  if (buf.length % 4 !== 0) throw new Error('float32 file length is not a multiple of 4');
  const out = new Float32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  if (expectedLength !== undefined && out.length !== expectedLength) throw new Error(`expected ${expectedLength} floats, file has ${out.length}`);
  return out;
}

/** Adds a tensor to `files` under `path` and returns its reference. */
export function putTensor(files: Record<string, Buffer>, path: string, values: Float32Array, shape: number[]): ArtifactTensorRef {
  files[path] = f32ToBuffer(values);
  return { file: path, shape };
}

export function getTensor(files: Record<string, Buffer>, ref: ArtifactTensorRef): Float32Array {
  const buf = files[ref.file];
  if (!buf) throw new Error(`artifact file ${ref.file} is missing`);
  return bufferToF32(buf, ref.shape.reduce((a, b) => a * b, 1));
}

export function headToMember(name: string, featureSet: string, ttaViews: number, head: TrainedHead, files: Record<string, Buffer>, prefix: string): ArtifactHeadMember {
  const tensors: Record<string, ArtifactTensorRef> = {};
  for (const [k, w] of Object.entries(head.weights)) tensors[k] = putTensor(files, `${prefix}/${k}.f32`, w.values, w.shape);
  tensors.mean = putTensor(files, `${prefix}/mean.f32`, head.standardizer.mean, [head.inputDim]);
  tensors.std = putTensor(files, `${prefix}/std.f32`, head.standardizer.std, [head.inputDim]);
  return { name, kind: 'head', featureSet, ttaViews, head: { config: head.config, inputDim: head.inputDim, numClasses: head.numClasses, bestEpoch: head.bestEpoch }, tensors };
}

export function cnnToMember(name: string, arch: CnnArch, cnn: CnnArtifact, files: Record<string, Buffer>, prefix: string): ArtifactCnnMember {
  const modelJson = `${prefix}/model.json`;
  const weights = `${prefix}/weights.bin`;
  files[modelJson] = Buffer.from(cnn.modelJson, 'utf8');
  files[weights] = Buffer.from(cnn.weights);
  return { name, kind: 'cnn', arch, files: { modelJson, weights } };
}

export function memberToCnn(m: ArtifactCnnMember, files: Record<string, Buffer>): CnnArtifact {
  const json = files[m.files.modelJson];
  const weights = files[m.files.weights];
  if (!json || !weights) throw new Error(`artifact files of member ${m.name} are missing`);
  return { modelJson: json.toString('utf8'), weights: new Uint8Array(weights) };
}

export function finetuneToMember(
  name: string,
  spec: Omit<ArtifactFinetuneMember, 'name' | 'kind' | 'models'>,
  models: Array<Array<{ name: string; dims: number[]; value: Float32Array }>>,
  files: Record<string, Buffer>,
  prefix: string,
): ArtifactFinetuneMember {
  const refs = models.map((params, m) => {
    const tensors: Record<string, ArtifactTensorRef> = {};
    for (const p of params) tensors[p.name] = putTensor(files, `${prefix}/${m}/${p.name}.f32`, p.value, p.dims);
    return tensors;
  });
  return { name, kind: 'finetune', ...spec, models: refs };
}

export function memberToFinetuneParams(m: ArtifactFinetuneMember, files: Record<string, Buffer>): Array<Map<string, Float32Array>> {
  return m.models.map((tensors) => new Map(Object.entries(tensors).map(([k, ref]) => [k, getTensor(files, ref)])));
}

export function memberToHead(m: ArtifactHeadMember, files: Record<string, Buffer>): TrainedHead {
  const weights: Record<string, NamedWeight> = {};
  for (const k of Object.keys(m.tensors)) {
    if (k === 'mean' || k === 'std') continue;
    weights[k] = { shape: m.tensors[k].shape, values: getTensor(files, m.tensors[k]) };
  }
  return {
    config: m.head.config,
    inputDim: m.head.inputDim,
    numClasses: m.head.numClasses,
    bestEpoch: m.head.bestEpoch,
    history: [],
    standardizer: { mean: getTensor(files, m.tensors.mean), std: getTensor(files, m.tensors.std) },
    weights,
  };
}

/** Checks the manifest's shape before anything is loaded (artifacts come from storage and may be stale or damaged). */
export function validateManifest(m: unknown): asserts m is ClassifierManifest {
  const x = m as Partial<ClassifierManifest> | undefined;
  if (!x || x.format !== ARTIFACT_FORMAT) throw new Error('not a tailor classifier artifact');
  if (x.version !== ARTIFACT_VERSION) throw new Error(`unsupported artifact version ${String(x.version)}`);
  if (!Array.isArray(x.classes) || !Array.isArray(x.members) || !x.members.length || !Array.isArray(x.featureSets) || !x.ood) {
    throw new Error('artifact manifest is incomplete');
  }
  for (const member of x.members) {
    if (member.kind !== 'head' && member.kind !== 'cnn' && member.kind !== 'finetune') throw new Error(`unknown artifact member kind ${String((member as { kind?: unknown }).kind)}`);
  }
}
