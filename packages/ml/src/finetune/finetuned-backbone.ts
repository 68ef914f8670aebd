import type { IrGraph, IrLayerInfo, IrOp } from '../tflite/ir';
import { HEAD_B, HEAD_W } from './finetune-graphs';
import { oihwToOhwi, type TopSubgraph } from './top-subgraph';

/**
 * The backbone's frozen part once, then one copy of the top per trained model, each with its trained weights (TFLite
 * layouts, as the IR keeps them) and its own output layer `top_<m>`: bagged models cost one frozen pass in all.
 */
export function multiTopBackbone(ir: IrGraph, sub: TopSubgraph, models: Array<Map<string, Float32Array>>): { ir: IrGraph; outputs: string[] } {
  const inTop = new Set(sub.ops.map((op) => op.output));
  // The frozen graph stays whole (its layers after the cut still serve heads on frozen features in the same pass;
  // onnxruntime's export prunes whatever no output needs); each model's top is a renamed copy reading the cut.
  const ops: IrOp[] = [...ir.ops];
  const topShape = ir.layers.find((l) => l.name === sub.top.layer)!.shape;
  const layers: IrLayerInfo[] = [...ir.layers];
  const shapes = new Map(ir.shapes);
  models.forEach((params, m) => {
    const rename = (t: string) => (inTop.has(t) ? `${t}__m${m}` : t);
    for (const op of sub.ops) {
      const copy = { ...op, inputs: op.inputs.map(rename), output: rename(op.output), layer: undefined } as IrOp;
      if (op.type === 'conv' || op.type === 'depthwise') {
        const w = params.get(`${op.output}_w`);
        const b = params.get(`${op.output}_b`);
        if (!w || !b) throw new Error(`trained weights of ${op.output} are missing`);
        const [o, kh, kw, i] = op.weightShape;
        Object.assign(copy, { weights: op.type === 'conv' ? oihwToOhwi(w, [o, i, kh, kw]) : oihwToOhwi(w, [1, i, kh, kw]), bias: b });
      }
      if (ir.shapes.has(op.output)) shapes.set(copy.output, ir.shapes.get(op.output)!);
      if (op.output === sub.top.tensor) copy.layer = `top_${m}`;
      ops.push(copy);
    }
    layers.push({ name: `top_${m}`, tensor: rename(sub.top.tensor), shape: topShape });
  });
  return { ir: { ...ir, ops, layers, shapes }, outputs: models.map((_, m) => `pool_top_${m}`) };
}

/** Names of the layers whose weights fine-tuning trains: those after the cut, up to and including the top. */
export function trainedLayers(ir: IrGraph, sub: TopSubgraph): string[] {
  const names = ir.layers.map((l) => l.name);
  return names.slice(names.indexOf(sub.cut.layer) + 1, names.indexOf(sub.top.layer) + 1);
}

/** Softmax of the head on pooled top features: [n x d] -> [n x k]. */
export function headProbabilities(features: Float32Array, n: number, params: Map<string, Float32Array>, k: number): Float32Array {
  const w = params.get(HEAD_W)!;
  const b = params.get(HEAD_B)!;
  const d = w.length / k;
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const f = features.subarray(i * d, (i + 1) * d);
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let z = b[c];
      const row = w.subarray(c * d, (c + 1) * d);
      for (let j = 0; j < d; j++) z += row[j] * f[j];
      out[i * k + c] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += out[i * k + c] = Math.exp(out[i * k + c] - max);
    for (let c = 0; c < k; c++) out[i * k + c] /= sum;
  }
  return out;
}
