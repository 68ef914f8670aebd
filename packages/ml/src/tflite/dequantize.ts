import { TensorType, type TfliteModel, type TfliteTensor } from './schema';

/**
 * Float values of a constant tensor. uint8/int8 weights are dequantized per tensor or per axis
 * (`scale[c] * (q - zero_point[c])` along `quantized_dimension`); int32 biases use their own scale
 * (input_scale * weight_scale, zero point 0); float tensors are copied.
 */
export function dequantize(model: TfliteModel, t: TfliteTensor): Float32Array {
  const raw = model.buffers[t.buffer];
  if (!raw) throw new Error(`tensor ${t.name} has no constant data`);
  const count = t.shape.reduce((a, b) => a * b, 1);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(count);
  if (t.type === TensorType.FLOAT32) {
    for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
    return out;
  }
  const q = t.quantization;
  if (!q) throw new Error(`tensor ${t.name} is type ${t.type} without quantization parameters`);
  const axis = q.scale.length > 1 ? q.quantizedDimension : -1;
  // Stride of the quantized axis in the row-major buffer, so channel = floor(i / inner) % dim.
  const inner = axis < 0 ? 1 : t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const dim = axis < 0 ? 1 : t.shape[axis];
  const read = reader(t.type, dv);
  for (let i = 0; i < count; i++) {
    const c = axis < 0 ? 0 : ((i / inner) | 0) % dim;
    out[i] = q.scale[c] * (read(i) - (q.zeroPoint[c] ?? 0));
  }
  return out;
}

function reader(type: number, dv: DataView): (i: number) => number {
  switch (type) {
    case TensorType.UINT8:
      return (i) => dv.getUint8(i);
    case TensorType.INT8:
      return (i) => dv.getInt8(i);
    case TensorType.INT32:
      return (i) => dv.getInt32(4 * i, true);
    default:
      throw new Error(`cannot dequantize tensor type ${type}`);
  }
}
