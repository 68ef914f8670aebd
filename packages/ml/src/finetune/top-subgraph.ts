import type { IrGraph, IrOp } from '../tflite/ir';
import { neededTensors } from '../tflite/ir-utils';

/** A trainable tensor of the top: a conv/depthwise weight (ONNX OIHW layout) or bias, initialised from the backbone. */
export interface TopParam {
  name: string;
  dims: number[];
  init: Float32Array;
  kind: 'weight' | 'bias';
  /** The IR op (by output tensor) the parameter belongs to. */
  op: string;
}

/** NCHW shapes of the top's tensors at one input size. */
export type ShapeMap = Map<string, [number, number, number]>;

/**
 * The part of a backbone above a cut: every op needed for `top`'s output that is not needed for the `cut` layer's
 * output. Fine-tuning trains these ops' weights from cached activations at the cut, so the frozen part runs once per
 * image and view. The cut must be a block boundary: no op of the top may read a tensor from below the cut other than
 * the cut itself (a residual add reaching across it would need activations we do not keep).
 */
export interface TopSubgraph {
  cut: { layer: string; tensor: string };
  top: { layer: string; tensor: string };
  ops: IrOp[];
  params: TopParam[];
}

export function topSubgraph(ir: IrGraph, cutLayer: string, topLayer: string): TopSubgraph {
  const layer = (name: string) => {
    const l = ir.layers.find((x) => x.name === name);
    if (!l) throw new Error(`unknown layer "${name}"; available: ${ir.layers.map((x) => x.name).join(', ')}`);
    return l;
  };
  const cut = layer(cutLayer);
  const top = layer(topLayer);
  const below = neededTensors(ir, [cut.tensor]);
  const above = neededTensors(ir, [top.tensor]);
  if (!above.has(cut.tensor)) throw new Error(`layer "${topLayer}" does not depend on "${cutLayer}"`);
  const ops = ir.ops.filter((op) => above.has(op.output) && !below.has(op.output));
  const inside = new Set([cut.tensor, ...ops.map((op) => op.output)]);
  const params: TopParam[] = [];
  for (const op of ops) {
    for (const i of op.inputs) if (!inside.has(i)) throw new Error(`"${cutLayer}" is not a block boundary: ${op.output} reads ${i} from below it`);
    if (op.type === 'conv' || op.type === 'depthwise') {
      if (op.dilations[0] !== 1 || op.dilations[1] !== 1) throw new Error(`dilated convolutions cannot be fine-tuned (${op.output})`);
      if (op.type === 'depthwise' && op.depthMultiplier !== 1) throw new Error(`depth multiplier ${op.depthMultiplier} cannot be fine-tuned (${op.output})`);
      const [o, kh, kw, i] = op.weightShape;
      const dims = op.type === 'conv' ? [o, i, kh, kw] : [i, 1, kh, kw];
      params.push({ name: `${op.output}_w`, dims, init: ohwiToOihw(op.weights, op.type === 'conv' ? op.weightShape : [1, kh, kw, i]), kind: 'weight', op: op.output });
      params.push({ name: `${op.output}_b`, dims: [dims[0]], init: Float32Array.from(op.bias), kind: 'bias', op: op.output });
    } else if (op.type === 'avgpool' && op.global) {
      // A global pool inside the top is fine (it has no parameters).
    } else if (op.type !== 'add') {
      throw new Error(`op ${op.type} (${op.output}) cannot be part of a fine-tuned top`);
    }
  }
  return { cut: { layer: cutLayer, tensor: cut.tensor }, top: { layer: topLayer, tensor: top.tensor }, ops, params };
}

/** Output size of a convolution along one axis, TF/TFLite conventions (SAME pads the end more). */
export function convOut(size: number, k: number, stride: number, padding: 'SAME' | 'VALID'): { out: number; padBegin: number; padEnd: number } {
  if (padding === 'SAME') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + k - size, 0);
    return { out, padBegin: Math.floor(total / 2), padEnd: total - Math.floor(total / 2) };
  }
  return { out: Math.floor((size - k) / stride) + 1, padBegin: 0, padEnd: 0 };
}

/** CHW shapes of every tensor of the top for a cut activation of `cutShape` (C, H, W). */
export function inferTopShapes(sub: TopSubgraph, cutShape: [number, number, number]): ShapeMap {
  const shapes: ShapeMap = new Map([[sub.cut.tensor, cutShape]]);
  for (const op of sub.ops) {
    const [c, h, w] = shapes.get(op.inputs[0])!;
    if (op.type === 'conv' || op.type === 'depthwise') {
      const [o, kh, kw] = op.weightShape;
      const oc = op.type === 'conv' ? o : c;
      shapes.set(op.output, [oc, convOut(h, kh, op.strides[0], op.padding).out, convOut(w, kw, op.strides[1], op.padding).out]);
    } else if (op.type === 'avgpool') {
      shapes.set(op.output, [c, 1, 1]);
    } else {
      shapes.set(op.output, [c, h, w]);
    }
  }
  return shapes;
}

/** Reorders a row-major [a, b, c, d] array into [a, d, b, c] (OHWI -> OIHW). */
export function ohwiToOihw(w: Float32Array, [o, h, wd, i]: readonly number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let a = 0; a < o; a++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < wd; x++)
        for (let c = 0; c < i; c++) out[((a * i + c) * h + y) * wd + x] = w[((a * h + y) * wd + x) * i + c];
  return out;
}

/** OIHW -> OHWI, the inverse of ohwiToOihw (trained weights go back into the IR's TFLite layout). */
export function oihwToOhwi(w: Float32Array, [o, i, h, wd]: readonly number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let a = 0; a < o; a++)
    for (let c = 0; c < i; c++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < wd; x++) out[((a * h + y) * wd + x) * i + c] = w[((a * i + c) * h + y) * wd + x];
  return out;
}
