import type { IrGraph } from '../tflite/ir';

/**
 * Multiply-accumulates of a backbone's ops at its reference input size (224), so plans can price a forward pass to any
 * layer, or the part between two layers, at any input size (MACs scale with the input's area).
 */
export interface BackboneCost {
  /** MACs at 224 x 224 from the input up to and including `layer`. */
  upTo(layer: string): number;
  /** MACs at 224 x 224 of the ops after `cut` up to and including `top`. */
  between(cut: string, top: string): number;
}

export function backboneCost(ir: IrGraph): BackboneCost {
  const macs = ir.ops.map((op) => {
    if (op.type !== 'conv' && op.type !== 'depthwise') return op.type === 'dense' ? op.weightShape[0] * op.weightShape[1] : 0;
    const out = ir.shapes.get(op.output);
    const [, oh, ow, oc] = out && out.length === 4 ? out : [1, 1, 1, op.weightShape[0]];
    const [, kh, kw, i] = op.weightShape;
    return op.type === 'conv' ? oh * ow * oc * kh * kw * i : oh * ow * oc * kh * kw;
  });
  const cumulative: number[] = [];
  macs.reduce((acc, m, i) => (cumulative[i] = acc + m), 0);
  const endOf = (layer: string) => {
    const i = ir.ops.findIndex((op) => op.layer === layer);
    if (i < 0) throw new Error(`unknown layer ${layer}`);
    return i;
  };
  return {
    upTo: (layer) => cumulative[endOf(layer)],
    between: (cut, top) => cumulative[endOf(top)] - cumulative[endOf(cut)],
  };
}

/** MACs at `inputSize` from MACs at 224 (convolutions scale with the feature maps' area). */
export const atSize = (macs224: number, inputSize: number) => macs224 * (inputSize / 224) ** 2;
