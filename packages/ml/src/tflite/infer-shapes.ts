import { BuiltinOp, TensorType, type Padding, type TfliteModel, type TfliteOperator } from './schema';

export class ShapeInferenceError extends Error {
  override name = 'ShapeInferenceError';
}

/**
 * Shape of every tensor at the model's reference input size, by tensor index.
 *
 * Some converters (MLIR, e.g. MobileNet-EdgeTPU's) record shapes only for the input and the constants, so activation
 * shapes are computed from the input through the graph (operators are stored in execution order). Where the file
 * does record an activation shape it must equal the computed one: that checks this inference on every model that
 * carries full shapes (MobileNetV2, v1), and refuses a file whose graph we would misread.
 */
export function inferShapes(model: TfliteModel): number[][] {
  const shapes = model.tensors.map((t) => t.shape);
  const known = (i: number, op: TfliteOperator) => {
    const s = shapes[i];
    if (!s || s.length === 0) throw new ShapeInferenceError(`${op.opName}: input tensor ${i} has no known shape`);
    return s;
  };
  for (const op of model.operators) {
    const out = op.outputs[0];
    const inferred = outputShape(model, op, (k) => known(op.inputs[k], op));
    const recorded = model.tensors[out].shape;
    if (inferred === undefined) {
      if (recorded.length === 0) throw new ShapeInferenceError(`cannot infer the output shape of ${op.opName}`);
      continue;
    }
    if (recorded.length > 0 && !sameShape(recorded, inferred)) {
      throw new ShapeInferenceError(`${op.opName} -> ${model.tensors[out].name}: file says [${recorded}], graph gives [${inferred}]`);
    }
    shapes[out] = inferred;
  }
  return shapes;
}

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** TF's spatial output size: SAME = ceil(in / stride); VALID = ceil((in - effective kernel + 1) / stride). */
export function spatialOut(size: number, kernel: number, stride: number, dilation: number, padding: Padding): number {
  if (padding === 'SAME') return Math.ceil(size / stride);
  return Math.ceil((size - (kernel - 1) * dilation) / stride);
}

/** Output shape of one op from its input shapes, or undefined for ops this importer does not model. */
function outputShape(model: TfliteModel, op: TfliteOperator, input: (k: number) => number[]): number[] | undefined {
  const o = op.options;
  switch (op.builtinCode) {
    case BuiltinOp.CONV_2D:
    case BuiltinOp.DEPTHWISE_CONV_2D: {
      if (o.kind !== 'conv' && o.kind !== 'depthwise') return undefined;
      const [n, h, w] = input(0);
      const ws = input(1);
      // Conv weights are [O, kH, kW, I]; depthwise [1, kH, kW, C*M]: output channels are ws[0] or ws[3].
      const channels = op.builtinCode === BuiltinOp.CONV_2D ? ws[0] : ws[3];
      const c = o.conv;
      return [n, spatialOut(h, ws[1], c.strideH, c.dilationH, c.padding), spatialOut(w, ws[2], c.strideW, c.dilationW, c.padding), channels];
    }
    case BuiltinOp.AVERAGE_POOL_2D:
    case BuiltinOp.MAX_POOL_2D: {
      if (o.kind !== 'pool') return undefined;
      const [n, h, w, c] = input(0);
      const p = o.pool;
      return [n, spatialOut(h, p.filterH, p.strideH, 1, p.padding), spatialOut(w, p.filterW, p.strideW, 1, p.padding), c];
    }
    case BuiltinOp.ADD:
      return broadcast(input(0), input(1));
    case BuiltinOp.SOFTMAX:
    case BuiltinOp.QUANTIZE:
    case BuiltinOp.DEQUANTIZE:
    case BuiltinOp.RELU:
    case BuiltinOp.RELU6:
      return input(0);
    case BuiltinOp.FULLY_CONNECTED: {
      const inShape = input(0);
      const [units, depth] = input(1);
      if (o.kind === 'fullyConnected' && o.keepNumDims) return [...inShape.slice(0, -1), units];
      return [count(inShape) / depth, units];
    }
    case BuiltinOp.SQUEEZE: {
      const inShape = input(0);
      const dims = o.kind === 'squeeze' ? o.squeezeDims.map((d) => (d < 0 ? d + inShape.length : d)) : [];
      return inShape.filter((v, i) => (dims.length ? !dims.includes(i) : v !== 1));
    }
    case BuiltinOp.RESHAPE:
      return reshapeTarget(input(0), reshapeSpec(model, op));
    default:
      return undefined;
  }
}

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** NumPy broadcasting of two shapes (ADD of a feature map and a per-channel constant, or of two equal maps). */
function broadcast(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new ShapeInferenceError(`cannot broadcast [${a}] with [${b}]`);
    out.push(Math.max(x, y));
  }
  return out;
}

/**
 * The requested shape of a RESHAPE: its second input (an int32 constant, as newer converters write it) or else
 * ReshapeOptions.new_shape (older ones).
 */
function reshapeSpec(model: TfliteModel, op: TfliteOperator): number[] {
  const shapeInput = op.inputs[1];
  if (shapeInput !== undefined && shapeInput >= 0) {
    const t = model.tensors[shapeInput];
    const raw = model.buffers[t.buffer];
    if (raw && t.type === TensorType.INT32) {
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return Array.from({ length: raw.byteLength / 4 }, (_, i) => dv.getInt32(4 * i, true));
    }
  }
  if (op.options.kind === 'reshape' && op.options.newShape.length > 0) return op.options.newShape;
  throw new ShapeInferenceError('RESHAPE without a constant target shape');
}

/** Resolves a reshape's single -1 so the element count is kept. */
export function reshapeTarget(inShape: number[], spec: number[]): number[] {
  const total = count(inShape);
  const free = spec.filter((d) => d === -1).length;
  if (free > 1) throw new ShapeInferenceError(`reshape [${spec}] has more than one -1`);
  const fixed = count(spec.filter((d) => d !== -1));
  const out = spec.map((d) => (d === -1 ? total / fixed : d));
  if (count(out) !== total || !out.every(Number.isInteger)) throw new ShapeInferenceError(`cannot reshape [${inShape}] to [${spec}]`);
  return out;
}
