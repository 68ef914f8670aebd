import type { ResolveOptions } from '../backbones/resolve-file';
import { artifactFromFiles } from '../prediction/artifact-files';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  describeInput,
  OUTPUT_OOD,
  OUTPUT_PROBABILITIES,
  type BundleModelFormat,
  type BundlePreprocessing,
} from './bundle-format';
import { apacheLicenseText } from './backbone-licenses';
import { buildClassifierGraph, type ClassifierGraph } from './classifier-graph';
import { buildCnnModelGraph, CNN_MODEL_FORMAT } from './cnn-model-graph';
import { writeModelCard, type VersionFacts } from './model-card';
import { onnxToTfjs } from './onnx-to-tfjs';

export interface BundleFile {
  name: string;
  data: Buffer;
}

const isCnnModel = (files: Record<string, Buffer>) => {
  try {
    return (JSON.parse(files['manifest.json']?.toString('utf8') ?? '{}') as { format?: string }).format === CNN_MODEL_FORMAT;
  } catch {
    return false;
  }
};

/**
 * A version's artifact files as a self-contained bundle: the whole classifier as one graph (`model.onnx`, or
 * `model.json` + `weights.bin` for TF.js), `labels.json`, `preprocessing.json`, a model card `README.md`, and the
 * pre-trained weights' licence. Works for both kinds of version: transfer ensembles and the tutorial CNNs.
 */
export async function buildExportBundle(
  artifactFiles: Record<string, Buffer>,
  facts: VersionFacts,
  format: BundleModelFormat,
  opts: { resolve?: ResolveOptions } = {},
): Promise<BundleFile[]> {
  let graph: ClassifierGraph;
  let classes: string[];
  let backbones: string[] = [];
  let oodThreshold: { value: number; rule: string };
  let decision: BundlePreprocessing['decision'] = { uncertainBelow: null, targetPrecision: null };
  if (isCnnModel(artifactFiles)) {
    graph = buildCnnModelGraph(artifactFiles);
    const manifest = JSON.parse(artifactFiles['manifest.json']!.toString('utf8')) as { classes: string[]; oodMaxProbThreshold: number };
    classes = manifest.classes;
    oodThreshold = { value: manifest.oodMaxProbThreshold, rule: 'An image is flagged when its top probability is below the 2nd percentile of the held-out images\' top probabilities.' };
  } else {
    const artifact = artifactFromFiles(artifactFiles);
    graph = await buildClassifierGraph(artifact, opts.resolve);
    classes = artifact.manifest.classes;
    const used = [...artifact.manifest.featureSets.map((f) => f.backbone), ...artifact.manifest.members.flatMap((m) => (m.kind === 'finetune' ? [m.backbone] : []))];
    backbones = [...new Set(used)];
    const thresholds = (artifact.manifest as { thresholds?: { targetPrecision: number; perClass: number[] } }).thresholds;
    if (thresholds) decision = { uncertainBelow: thresholds.perClass, targetPrecision: thresholds.targetPrecision };
    const ood = artifact.manifest.ood;
    oodThreshold = {
      value: ood.threshold,
      rule: `Distance to the nearest class centroid in standardised feature space, per feature, compared with the ${ood.percentile}th percentile of the training images' own distances.`,
    };
  }

  const modelFiles: BundleFile[] = [];
  if (format === 'onnx') modelFiles.push({ name: 'model.onnx', data: Buffer.from(graph.onnx) });
  else {
    const tfjs = onnxToTfjs(graph.onnx);
    modelFiles.push({ name: 'model.json', data: Buffer.from(JSON.stringify(tfjs.modelJson)) }, { name: 'weights.bin', data: tfjs.weights });
  }
  const preprocessing: BundlePreprocessing = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    model: { format, files: modelFiles.map((f) => f.name), ...(format === 'onnx' ? { opset: 13 } : {}) },
    source: { modelId: facts.modelId, version: facts.version, architecture: facts.architecture },
    inputs: graph.inputs.map((i) => ({
      ...i,
      shape: [null, i.size, i.size, i.kind === 'rgb' ? 3 : 1],
      dtype: 'float32' as const,
      layout: 'NHWC' as const,
      steps: describeInput(i),
    })),
    inGraph: graph.inGraph,
    decision,
    outputs: {
      [OUTPUT_PROBABILITIES]: { shape: [null, classes.length], meaning: 'class probabilities, in the order of labels.json; each row sums to 1' },
      [OUTPUT_OOD]: { shape: [null], meaning: 'out-of-distribution score relative to the threshold: above 1 = unlike every trained class' },
    },
  };
  const licence = backbones.length ? [{ name: 'LICENSE-backbone-weights.txt', data: apacheLicenseText() }] : [];
  const names = [...modelFiles.map((f) => f.name), 'labels.json', 'preprocessing.json', 'README.md', ...licence.map((l) => l.name)];
  const temperature = isCnnModel(artifactFiles) ? 1 : ((JSON.parse(artifactFiles['manifest.json']!.toString('utf8')) as { calibration?: { temperature: number } }).calibration?.temperature ?? 1);
  const trust = { temperature, ...decision };
  const card = writeModelCard({ facts, classes, format, preprocessing, backbones, oodThreshold, trust, files: names });
  return [
    ...modelFiles,
    { name: 'labels.json', data: Buffer.from(JSON.stringify(classes, null, 2)) },
    { name: 'preprocessing.json', data: Buffer.from(JSON.stringify(preprocessing, null, 2)) },
    { name: 'README.md', data: Buffer.from(card) },
    ...licence,
  ];
}
