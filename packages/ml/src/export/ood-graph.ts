import type { OnnxGraph } from '../finetune/graph-builder';
import { int, ints } from '../finetune/graph-builder';
import { getTensor, type ArtifactTensorRef, type ClassifierArtifact } from '../prediction/artifact';

/**
 * The OOD detectors an artifact may name, read loosely: artifacts written before a detector existed lack its fields,
 * and the graph must mirror whichever the service serves (`prediction/ood.ts`, `trust/knn-ood.ts`).
 */
interface OodSpec {
  featureSet: string;
  method: string;
  threshold: number;
  k?: number;
  tensors: Partial<Record<'mean' | 'std' | 'centroids' | 'bank', ArtifactTensorRef>>;
}

/** `ood_score` [N] from the detector's features [N, D] (original view): the score relative to the threshold. */
export function oodGraph(g: OnnxGraph, feats: string, artifact: ClassifierArtifact, numClasses: number, output: string): string {
  const o = artifact.manifest.ood as unknown as OodSpec;
  const tensor = (name: keyof OodSpec['tensors']) => {
    const ref = o.tensors[name];
    if (!ref) throw new Error(`the ${o.method} OOD detector has no ${name} tensor`);
    return getTensor(artifact.files, ref);
  };
  const standardise = (x: string, dim: number) => {
    if (!o.tensors.mean || !o.tensors.std) return x;
    return g.op('Div', [g.op('Sub', [x, g.floats([dim], tensor('mean'))]), g.floats([dim], tensor('std'))]);
  };
  if (o.method === 'nearest-centroid') {
    // Squared distance to the nearest class centroid in standardised space, per feature (prediction/ood.ts).
    const dim = tensor('mean').length;
    const z = standardise(feats, dim);
    const diff = g.op('Sub', [g.op('Unsqueeze', [z, g.int64s([1])]), g.floats([numClasses, dim], tensor('centroids'))]);
    const dist = g.op('ReduceSum', [g.op('Mul', [diff, diff]), g.int64s([2])], [int('keepdims', 0)]);
    const nearest = g.op('ReduceMin', [dist], [ints('axes', [1]), int('keepdims', 0)]);
    return g.op('Div', [nearest, g.scalar(dim * o.threshold)], [], output);
  }
  if (o.method === 'knn') {
    // One minus the cosine similarity to the k-th nearest training image (trust/knn-ood.ts): rows standardised when
    // the detector was, scaled to unit length, compared with every row of the bank.
    const bank = tensor('bank');
    const dim = o.tensors.bank!.shape[1]!;
    const rows = bank.length / dim;
    const k = Math.max(1, Math.min(o.k ?? 1, rows));
    const z = standardise(feats, dim);
    const norm = g.op('Sqrt', [g.op('ReduceSum', [g.op('Mul', [z, z]), g.int64s([1])], [int('keepdims', 1)])]);
    const unit = g.op('Div', [z, g.op('Max', [norm, g.scalar(1e-30)])]);
    const sims = g.op('Gemm', [unit, g.floats([rows, dim], bank)], [int('transB', 1)]);
    // TopK has two outputs (values, indices); OnnxGraph.op writes one, so the node is written here.
    const top = g.tmp('topk');
    g.nodes.push({ name: `TopK_${g.nodes.length}`, opType: 'TopK', input: [sims, g.int64s([k])], output: [top, g.tmp('topk_indices')], attribute: [int('axis', 1), int('largest', 1), int('sorted', 1)] });
    const kth = g.op('Gather', [top, g.int64s([k - 1])], [int('axis', 1)]);
    const score = g.op('Sub', [g.scalar(1), g.op('Squeeze', [kth, g.int64s([1])])]);
    return g.op('Div', [score, g.scalar(o.threshold)], [], output);
  }
  throw new Error(`OOD detector "${o.method}" cannot be exported`);
}

/** A human line for preprocessing.json and the model card. */
export function describeOod(artifact: ClassifierArtifact, where: string): string {
  const o = artifact.manifest.ood as unknown as OodSpec;
  const how =
    o.method === 'knn'
      ? `one minus the cosine similarity to the ${o.k}th nearest training image${o.tensors.mean ? ' (features standardised first)' : ''}`
      : 'squared distance to the nearest class centroid in standardised feature space, per feature';
  return `ood_score: ${how}, on ${where} (original view), divided by the threshold ${o.threshold}; above 1 = out of distribution`;
}
