import { getBackboneSpec } from '../backbones/catalog';
import { loadBackbone } from '../backbones/load-backbone';
import type { ResolveOptions } from '../backbones/resolve-file';
import { HEAD_B, HEAD_W } from '../finetune/finetune-graphs';
import { multiTopBackbone } from '../finetune/finetuned-backbone';
import { topSubgraph } from '../finetune/top-subgraph';
import { int } from '../finetune/graph-builder';
import { foldStandardizer } from '../heads/fold-standardizer';
import {
  memberToCnn,
  memberToFinetuneParams,
  memberToHead,
  validateManifest,
  type ArtifactFeatureSet,
  type ArtifactFinetuneMember,
  type ClassifierArtifact,
} from '../prediction/artifact';
import { CNN_INPUT } from '../cnn/input';
import type { BundleInput } from './bundle-format';
import { OUTPUT_OOD, OUTPUT_PROBABILITIES } from './bundle-format';
import { kerasCnnGraph } from './keras-cnn-graph';
import { describeOod, oodGraph } from './ood-graph';
import { ComposedGraph } from './onnx-compose';

export interface ClassifierGraph {
  onnx: Uint8Array;
  inputs: BundleInput[];
  /** What the graph computes beyond its inputs, in words (for preprocessing.json and the model card). */
  inGraph: string[];
}

type View = 'orig' | 'flip';
/** The most negative int64: a Slice end that, with step -1, runs to index 0 inclusive. */
const INT64_MIN = -(2 ** 63);

/**
 * The whole transfer classifier as one ONNX graph, mirroring `loadClassifier` step for step: per input size one
 * normalised RGB input; inversion (negative polarity) and the horizontal flip of test-time augmentation computed in
 * the graph; each backbone pass exposing the pooled layers its feature sets need; every head with its standardiser
 * folded in; every fine-tuned member's bagged tops on one frozen pass; the CNN members on a 28x28 grey input; the
 * members' probabilities averaged as the service averages them; the out-of-distribution score beside them.
 */
export async function buildClassifierGraph(artifact: ClassifierArtifact, resolve: ResolveOptions = {}): Promise<ClassifierGraph> {
  const { manifest, files } = artifact;
  validateManifest(manifest);
  const c = new ComposedGraph();
  const g = c.g;
  const K = manifest.classes.length;
  const M = manifest.members.length;
  const inputs = new Map<string, BundleInput>();
  const inGraph: string[] = [];

  const rgbInput = (backbone: string, size: number): string => {
    const { normalization } = getBackboneSpec(backbone);
    const name = `image_${size}`;
    const seen = inputs.get(name);
    if (seen && seen.kind === 'rgb' && (seen.normalization.scale !== normalization.scale || seen.normalization.offset !== normalization.offset)) {
      throw new Error(`backbones normalise ${size}x${size} inputs differently; such a classifier cannot be exported`);
    }
    if (!seen) {
      inputs.set(name, { name, kind: 'rgb', size, normalization });
      g.input(name, ['N', size, size, 3]);
    }
    return name;
  };

  // Polarity and views are elementwise / a reversal, so they commute with each other and with normalisation: the graph
  // applies them to the normalised input, as the service applies them to its normalised float image.
  const prepared = new Map<string, string>();
  const prepare = (backbone: string, size: number, invert: boolean, view: View): string => {
    const key = `${backbone}|${size}|${invert}|${view}`;
    let t = prepared.get(key);
    if (t) return t;
    t = rgbInput(backbone, size);
    if (invert) {
      // 255 - p in normalised units: v' = 255 * scale + 2 * offset - v (create-embedder.ts), -v for [-1, 1].
      const { scale, offset } = getBackboneSpec(backbone).normalization;
      t = g.op('Sub', [g.scalar(255 * scale + 2 * offset), t]);
    }
    if (view === 'flip') t = g.op('Slice', [t, g.int64s([-1]), g.int64s([INT64_MIN]), g.int64s([2]), g.int64s([-1])]);
    prepared.set(key, t);
    return t;
  };

  // One backbone pass per (backbone, size, polarity, view), exposing the union of the layers its feature sets pool.
  const sets = new Map(manifest.featureSets.map((f) => [f.name, f]));
  const layersOf = (f: ArtifactFeatureSet) => (f.layers.length ? f.layers : getBackboneSpec(f.backbone).defaultLayers);
  const passKey = (f: ArtifactFeatureSet) => `${f.backbone}|${f.inputSize}|${f.invert === true}`;
  const passLayers = new Map<string, string[]>();
  for (const f of manifest.featureSets) {
    const layers = passLayers.get(passKey(f)) ?? [];
    for (const l of layersOf(f)) if (!layers.includes(l)) layers.push(l);
    passLayers.set(passKey(f), layers);
  }
  const passes = new Map<string, Record<string, string>>();
  const features = new Map<string, string>();
  const featureSet = async (name: string, view: View): Promise<string> => {
    const f = sets.get(name);
    if (!f) throw new Error(`artifact names feature set ${name} but does not define it`);
    const hit = features.get(`${name}|${view}`);
    if (hit) return hit;
    const pk = `${passKey(f)}|${view}`;
    let outs = passes.get(pk);
    if (!outs) {
      const { ir } = await loadBackbone(f.backbone, resolve);
      outs = c.spliceIr(ir, passLayers.get(passKey(f))!, prepare(f.backbone, f.inputSize, f.invert === true, view), f.backbone);
      passes.set(pk, outs);
    }
    const parts = layersOf(f).map((l) => outs![l]!);
    const t = parts.length === 1 ? parts[0]! : g.op('Concat', parts, [int('axis', 1)]);
    features.set(`${name}|${view}`, t);
    return t;
  };

  const contributions: string[] = [];
  const finetuneCut = new Map<number, string>();
  for (const [k, m] of manifest.members.entries()) {
    if (m.kind === 'head') {
      const head = memberToHead(m, files);
      const { W1, b1, shape } = foldStandardizer(head);
      const w1 = g.floats(shape, W1);
      const bias1 = g.floats([shape[1]], b1);
      if (m.ttaViews > 2) throw new Error(`member ${m.name} averages ${m.ttaViews} test-time views; only the original and its flip exist`);
      for (let v = 0; v < m.ttaViews; v++) {
        let z = g.op('Gemm', [await featureSet(m.featureSet, v === 0 ? 'orig' : 'flip'), w1, bias1]);
        if (head.weights.W2) {
          z = g.op('Relu', [z]);
          z = g.op('Gemm', [z, g.floats(head.weights.W2.shape, head.weights.W2.values), g.floats([head.weights.b2.values.length], head.weights.b2.values)]);
        }
        const p = g.op('Softmax', [z], [int('axis', -1)]);
        // The service adds p * 1 / (views x members) per view: the same float32 products, summed in the same order.
        contributions.push(g.op('Mul', [p, g.scalar(Math.fround(1 / (m.ttaViews * M)))]));
      }
      inGraph.push(`member ${k} (${m.name}): ${head.config.kind === 'mlp' ? `MLP (${head.config.hidden} hidden, ReLU)` : 'logistic regression'} on feature set ${m.featureSet}, standardisation folded into its first layer, softmax${m.ttaViews >= 2 ? ', averaged over the original and the horizontally flipped image' : ''}`);
    } else if (m.kind === 'finetune') {
      contributions.push(await finetuneMember(c, m, files, (view) => prepare(m.backbone, m.inputSize, m.invert === true, view), K, M, resolve, (cut) => finetuneCut.set(k, cut)));
      inGraph.push(`member ${k} (${m.name}): ${m.backbone} fine-tuned from ${m.cut} to ${m.top} at ${m.inputSize}px${m.invert ? ', inverted' : ''}, ${m.models.length} bagged top(s) with softmax heads averaged${Math.min(2, m.ttaViews) >= 2 ? ' over the original and the flipped image' : ''}`);
    } else {
      const name = 'image_cnn_28';
      if (!inputs.has(name)) {
        inputs.set(name, { name, kind: 'grey', size: CNN_INPUT.width });
        g.input(name, ['N', CNN_INPUT.height, CNN_INPUT.width, 1]);
      }
      const p = kerasCnnGraph(c, memberToCnn(m, files), name, `cnn${k}`);
      contributions.push(g.op('Div', [p, g.scalar(M)]));
      inGraph.push(`member ${k} (${m.name}): the tutorial CNN ${m.arch} on the 28x28 grey input, softmax`);
    }
  }
  const averaged = contributions.reduce((sum, t) => g.op('Add', [sum, t]));
  inGraph.push(`probabilities: the average of the ${M} member(s) above (each member's share 1/${M})`);
  // Temperature scaling of the average, when the version was calibrated: softmax(log(max(p, 1e-7)) / T), as
  // trust/calibration.ts applies it (it never changes the top class).
  const temperature = (manifest as { calibration?: { temperature: number } }).calibration?.temperature ?? 1;
  let probs = averaged;
  if (temperature !== 1) {
    const logits = g.op('Div', [g.op('Log', [g.op('Max', [averaged, g.scalar(1e-7)])]), g.scalar(temperature)]);
    probs = g.op('Softmax', [logits], [int('axis', -1)]);
    inGraph.push(`calibrated: softmax(log(max(p, 1e-7)) / ${temperature}) (temperature scaling)`);
  }
  g.op('Identity', [probs], [], OUTPUT_PROBABILITIES);
  g.output(OUTPUT_PROBABILITIES, ['N', K]);

  // Out of distribution, on the detector's own features: a feature set's original view or a fine-tuned member's cut.
  const o = manifest.ood;
  const member = /^member:(\d+)$/.exec(o.featureSet);
  const feats = member ? finetuneCut.get(Number(member[1])) : await featureSet(o.featureSet, 'orig');
  if (!feats) throw new Error(`the OOD detector reads ${o.featureSet}, which is not a fine-tuned member`);
  oodGraph(g, feats, artifact, K, OUTPUT_OOD);
  g.output(OUTPUT_OOD, ['N']);
  inGraph.push(describeOod(artifact, member ? `the pooled cut map of member ${member[1]}` : `feature set ${o.featureSet}`));
  return { onnx: g.encode('tailor_classifier'), inputs: [...inputs.values()], inGraph };
}

/**
 * A fine-tuned member as `loadFinetuneRunner` serves it: the frozen trunk once per view and every bagged top on it
 * (`multiTopBackbone`, the runtime's own IR), each top's pooled features through its softmax head, averaged over
 * tops and views, then divided by the member count as the classifier averages members.
 */
async function finetuneMember(
  c: ComposedGraph,
  m: ArtifactFinetuneMember,
  files: ClassifierArtifact['files'],
  input: (view: View) => string,
  K: number,
  M: number,
  resolve: ResolveOptions,
  onCut: (tensor: string) => void,
): Promise<string> {
  const g = c.g;
  const { ir } = await loadBackbone(m.backbone, resolve);
  const models = memberToFinetuneParams(m, files);
  const multi = multiTopBackbone(ir, topSubgraph(ir, m.cut, m.top), models);
  const cutOut = `pool_${m.cut}`;
  const views: View[] = Math.min(2, Math.max(1, m.ttaViews)) === 2 ? ['orig', 'flip'] : ['orig'];
  const w = Math.fround(1 / (views.length * models.length));
  const parts: string[] = [];
  for (const view of views) {
    const outs = c.spliceIr(multi.ir, [cutOut, ...multi.outputs], input(view), m.backbone);
    if (view === 'orig') onCut(outs[cutOut]!);
    models.forEach((params, i) => {
      const hw = params.get(HEAD_W)!;
      const logits = g.op('Gemm', [outs[multi.outputs[i]!]!, g.floats([K, hw.length / K], hw), g.floats([K], params.get(HEAD_B)!)], [int('transB', 1)]);
      parts.push(g.op('Mul', [g.op('Softmax', [logits], [int('axis', -1)]), g.scalar(w)]));
    });
  }
  // The runner sums models within each view first (model-major), then the classifier divides by the member count.
  const ordered = models.flatMap((_, i) => views.map((_, v) => parts[v * models.length + i]!));
  const sum = ordered.reduce((a, b) => g.op('Add', [a, b]));
  return g.op('Div', [sum, g.scalar(M)]);
}
