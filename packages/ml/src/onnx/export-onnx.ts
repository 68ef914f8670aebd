import type { Activation, Padding } from '../tflite/schema';
import type { IrGraph, IrOp } from '../tflite/ir';
import { neededTensors, resolveOutputs } from '../tflite/ir-utils';
import {
  encodeModel,
  OnnxAttrType,
  OnnxDataType,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-proto';

export interface OnnxExportOptions {
  /**
   * What the model returns, by name: a layer name (`block_13`: its NHWC feature map, or `[N, C]` for flat layers
   * such as `logits`), or `pool_<layer>` (the layer's global average pool, `[N, C]`). Default: the graph's last layer.
   */
  outputs?: string[];
  /** When set, the pooled/flat outputs (feature maps are skipped) are also concatenated in order into one `[N, sum C]` output. */
  concatAs?: string;
}

export const ONNX_INPUT_NAME = 'input';
const OPSET = 13;

/**
 * Writes the IR as an ONNX model (opset 13). The input is NHWC float `[N, H, W, 3]` with free N/H/W and is transposed to
 * NCHW once; convolutions use SAME_UPPER auto padding (TF's SAME), so the same model runs at any input size.
 * Ops not needed for the requested outputs are pruned.
 */
export function irToOnnx(ir: IrGraph, options: OnnxExportOptions = {}): Uint8Array {
  const last = ir.layers[ir.layers.length - 1];
  const resolved = resolveOutputs(ir, options.outputs ?? [last.name]);
  const needed = neededTensors(ir, resolved.map((r) => r.layer.tensor));
  const b = new GraphBuilder();
  const x = `${ir.input.name}`;
  b.node('Transpose', [ONNX_INPUT_NAME], [x], [ints('perm', [0, 3, 1, 2])]);
  for (const op of ir.ops) if (needed.has(op.output)) emitOp(b, op);

  const outputs: OnnxValueInfo[] = [];
  const flat: string[] = [];
  let flatWidth = 0;
  for (const r of resolved) {
    const channels = r.layer.shape[r.layer.shape.length - 1];
    if (r.pooled) {
      const gap = b.tmp(`${r.name}_gap`);
      b.node('GlobalAveragePool', [r.layer.tensor], [gap]);
      b.node('Flatten', [gap], [r.name], [int('axis', 1)]);
    } else if (r.layer.shape.length === 4) {
      b.node('Transpose', [r.layer.tensor], [r.name], [ints('perm', [0, 2, 3, 1])]);
    } else {
      b.node('Identity', [r.layer.tensor], [r.name]);
    }
    const rank4 = !r.pooled && r.layer.shape.length === 4;
    outputs.push(valueInfo(r.name, rank4 ? ['N', `${r.name}_H`, `${r.name}_W`, channels] : ['N', channels]));
    if (!rank4) {
      flat.push(r.name);
      flatWidth += channels;
    }
  }
  if (options.concatAs) {
    if (flat.length === 0) throw new Error('concatAs needs at least one pooled or flat output');
    b.node('Concat', flat, [options.concatAs], [int('axis', 1)]);
    outputs.push(valueInfo(options.concatAs, ['N', flatWidth]));
  }

  const model: OnnxModel = {
    irVersion: 8,
    producerName: 'tailor',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: 'tailor_backbone',
      node: b.nodes,
      initializer: b.initializers,
      input: [valueInfo(ONNX_INPUT_NAME, ['N', 'H', 'W', ir.input.shape[3]])],
      output: outputs,
    },
  };
  return encodeModel(model);
}

class GraphBuilder {
  nodes: OnnxNode[] = [];
  initializers: OnnxTensor[] = [];
  private count = 0;
  private clipBounds = false;

  tmp(hint: string): string {
    return `${hint}_${this.count++}`;
  }

  node(opType: string, input: string[], output: string[], attribute: OnnxAttribute[] = []): void {
    this.nodes.push({ name: `${opType}_${this.nodes.length}`, opType, input, output, attribute });
  }

  constant(name: string, dims: number[], data: Float32Array): string {
    const rawData = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.initializers.push({ name, dims, dataType: OnnxDataType.FLOAT, rawData });
    return name;
  }

  /** RELU6 as Clip(0, 6); opset 13 takes the bounds as inputs, shared by every Clip. */
  activation(input: string, output: string, act: Activation): void {
    if (act === 'NONE') throw new Error('no activation to emit');
    if (act === 'RELU') return this.node('Relu', [input], [output]);
    if (!this.clipBounds) {
      this.constant('relu6_min', [], Float32Array.of(0));
      this.constant('relu6_max', [], Float32Array.of(6));
      this.clipBounds = true;
    }
    this.node('Clip', [input, 'relu6_min', 'relu6_max'], [output]);
  }
}

function int(name: string, i: number): OnnxAttribute {
  return { name, type: OnnxAttrType.INT, i };
}

function ints(name: string, v: number[]): OnnxAttribute {
  return { name, type: OnnxAttrType.INTS, ints: v };
}

function str(name: string, s: string): OnnxAttribute {
  return { name, type: OnnxAttrType.STRING, s: new TextEncoder().encode(s) };
}

function autoPad(p: Padding): OnnxAttribute {
  return str('auto_pad', p === 'SAME' ? 'SAME_UPPER' : 'VALID');
}

function valueInfo(name: string, dims: (number | string)[]): OnnxValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType: OnnxDataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Reorders a row-major [a, b, c, d] array into [a, d, b, c] (OHWI -> OIHW). */
function ohwiToOihw(w: Float32Array, [o, h, wd, i]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let a = 0; a < o; a++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < wd; x++)
        for (let c = 0; c < i; c++) out[((a * i + c) * h + y) * wd + x] = w[((a * h + y) * wd + x) * i + c];
  return out;
}

function emitOp(b: GraphBuilder, op: IrOp): void {
  const withAct = (act: Activation, emit: (out: string) => void) => {
    if (act === 'NONE') return emit(op.output);
    const pre = b.tmp(`${op.output}_pre`);
    emit(pre);
    b.activation(pre, op.output, act);
  };
  switch (op.type) {
    case 'conv':
    case 'depthwise': {
      const [o, kh, kw, i] = op.weightShape;
      let w: Float32Array;
      let dims: number[];
      let group = 1;
      if (op.type === 'conv') {
        w = ohwiToOihw(op.weights, op.weightShape);
        dims = [o, i, kh, kw];
      } else {
        // [1, kH, kW, C*M] -> [C*M, 1, kH, kW]; TFLite output channel c*M+m reads input channel c, as ONNX group=C does.
        w = ohwiToOihw(op.weights, [1, kh, kw, i]);
        dims = [i, 1, kh, kw];
        group = i / op.depthMultiplier;
      }
      const wName = b.constant(`${op.output}_w`, dims, w);
      const bName = b.constant(`${op.output}_b`, [dims[0]], op.bias);
      withAct(op.activation, (out) =>
        b.node('Conv', [op.inputs[0], wName, bName], [out], [
          ints('kernel_shape', [kh, kw]),
          ints('strides', op.strides),
          ints('dilations', op.dilations),
          int('group', group),
          autoPad(op.padding),
        ]),
      );
      return;
    }
    case 'add':
      return withAct(op.activation, (out) => b.node('Add', op.inputs, [out]));
    case 'avgpool':
      return withAct(op.activation, (out) =>
        op.global
          ? b.node('GlobalAveragePool', op.inputs, [out])
          : b.node('AveragePool', op.inputs, [out], [ints('kernel_shape', op.filter), ints('strides', op.strides), autoPad(op.padding)]),
      );
    case 'flatten':
      return b.node('Flatten', op.inputs, [op.output], [int('axis', 1)]);
    case 'softmax': {
      if (op.beta === 1) return b.node('Softmax', op.inputs, [op.output], [int('axis', -1)]);
      const scaled = b.tmp(`${op.output}_beta`);
      b.node('Mul', [op.inputs[0], b.constant(`${op.output}_betaval`, [], Float32Array.of(op.beta))], [scaled]);
      return b.node('Softmax', [scaled], [op.output], [int('axis', -1)]);
    }
    case 'dense': {
      const wName = b.constant(`${op.output}_w`, op.weightShape, op.weights);
      const bName = b.constant(`${op.output}_b`, [op.weightShape[0]], op.bias);
      return withAct(op.activation, (out) => b.node('Gemm', [op.inputs[0], wName, bName], [out], [int('transB', 1)]));
    }
  }
}
