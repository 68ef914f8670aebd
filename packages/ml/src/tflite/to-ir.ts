import { dequantize } from './dequantize';
import { inferShapes } from './infer-shapes';
import type { IrGraph, IrLayerInfo, IrOp } from './ir';
import { BuiltinOp, type TfliteModel } from './schema';

/** Maps a TFLite tensor name to a public layer name (or undefined when the tensor is not part of a named layer). */
export type LayerNamer = (tensorName: string) => string | undefined;

const tname = (i: number) => `t${i}`;

/**
 * Converts the parsed TFLite model to the float IR. QUANTIZE/DEQUANTIZE become identities (the float graph has no
 * activation quantization), so the result differs slightly from the uint8 reference by design.
 */
export function tfliteToIr(model: TfliteModel, nameLayer: LayerNamer = () => undefined): IrGraph {
  const byIndex = inferShapes(model);
  const shapes = new Map<string, number[]>();
  byIndex.forEach((s, i) => shapes.set(tname(i), s));
  const alias = new Map<number, number>();
  const resolve = (i: number): number => (alias.has(i) ? resolve(alias.get(i)!) : i);
  const ops: IrOp[] = [];
  const labels: (string | undefined)[] = [];

  for (const op of model.operators) {
    const inT = op.inputs.map((i) => (i < 0 ? i : resolve(i)));
    const out = op.outputs[0];
    const output = tname(out);
    const input = [tname(inT[0])];
    const outShape = byIndex[out];
    const constant = (k: number) => dequantize(model, model.tensors[inT[k]]);
    const bias = (k: number, n: number) => (inT[k] !== undefined && inT[k] >= 0 ? constant(k) : new Float32Array(n));
    let ir: IrOp | undefined;
    switch (op.builtinCode) {
      case BuiltinOp.CONV_2D: {
        if (op.options.kind !== 'conv') throw new Error('bad CONV_2D options');
        const o = op.options.conv;
        const ws = model.tensors[inT[1]].shape as [number, number, number, number];
        ir = {
          type: 'conv', inputs: input, output, weightShape: ws, weights: constant(1), bias: bias(2, ws[0]),
          strides: [o.strideH, o.strideW], dilations: [o.dilationH, o.dilationW], padding: o.padding, activation: o.activation,
        };
        break;
      }
      case BuiltinOp.DEPTHWISE_CONV_2D: {
        if (op.options.kind !== 'depthwise') throw new Error('bad DEPTHWISE_CONV_2D options');
        const o = op.options.conv;
        const ws = model.tensors[inT[1]].shape as [number, number, number, number];
        const inC = byIndex[inT[0]][3];
        ir = {
          type: 'depthwise', inputs: input, output, weightShape: ws, weights: constant(1), bias: bias(2, ws[3]),
          // Old converters wrote depth_multiplier 0/1 inconsistently; the weight shape is authoritative.
          depthMultiplier: ws[3] / inC,
          strides: [o.strideH, o.strideW], dilations: [o.dilationH, o.dilationW], padding: o.padding, activation: o.activation,
        };
        break;
      }
      case BuiltinOp.ADD:
        if (op.options.kind !== 'add') throw new Error('bad ADD options');
        ir = { type: 'add', inputs: [tname(inT[0]), tname(inT[1])], output, activation: op.options.activation };
        break;
      case BuiltinOp.AVERAGE_POOL_2D: {
        if (op.options.kind !== 'pool') throw new Error('bad AVERAGE_POOL_2D options');
        const p = op.options.pool;
        const inShape = byIndex[inT[0]];
        const global = outShape[1] === 1 && outShape[2] === 1 && p.filterH >= inShape[1] && p.filterW >= inShape[2];
        ir = {
          type: 'avgpool', inputs: input, output, global, filter: [p.filterH, p.filterW], strides: [p.strideH, p.strideW],
          padding: p.padding, activation: p.activation,
        };
        break;
      }
      case BuiltinOp.RESHAPE:
      case BuiltinOp.SQUEEZE: {
        const inShape = byIndex[inT[0]];
        // A reshape to the same shape (EdgeTPU's [N,1001] -> [N,1001] before its softmax) is nothing to compute.
        if (inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i])) {
          alias.set(out, inT[0]);
          continue;
        }
        if (!(inShape.length === 4 && inShape[1] === 1 && inShape[2] === 1 && outShape.length === 2)) {
          throw new Error(`only [N,1,1,C] -> [N,C] and no-op reshapes are supported (got ${inShape} -> ${outShape})`);
        }
        ir = { type: 'flatten', inputs: input, output };
        break;
      }
      case BuiltinOp.SOFTMAX:
        ir = { type: 'softmax', inputs: input, output, beta: op.options.kind === 'softmax' ? op.options.beta : 1 };
        break;
      case BuiltinOp.FULLY_CONNECTED: {
        if (op.options.kind !== 'fullyConnected') throw new Error('bad FULLY_CONNECTED options');
        const ws = model.tensors[inT[1]].shape as [number, number];
        ir = { type: 'dense', inputs: input, output, weightShape: ws, weights: constant(1), bias: bias(2, ws[0]), activation: op.options.activation };
        break;
      }
      case BuiltinOp.QUANTIZE:
      case BuiltinOp.DEQUANTIZE:
        alias.set(out, inT[0]);
        continue;
      default:
        throw new Error(`unsupported TFLite op ${op.opName}`);
    }
    ops.push(ir);
    labels.push(nameLayer(model.tensors[out].name));
  }

  // A layer ends at the last op carrying its label (a residual block ends with its ADD).
  const layers: IrLayerInfo[] = [];
  const lastIndex = new Map<string, number>();
  labels.forEach((l, i) => l && lastIndex.set(l, i));
  ops.forEach((op, i) => {
    const l = labels[i];
    if (l && lastIndex.get(l) === i) {
      op.layer = l;
      layers.push({ name: l, tensor: op.output, shape: shapes.get(op.output)! });
    }
  });
  const inIdx = resolve(model.inputs[0]);
  return { input: { name: tname(inIdx), shape: byIndex[inIdx] }, ops, layers, shapes };
}
