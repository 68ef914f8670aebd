import { FbTable } from './flatbuffer-table';
import {
  activationName,
  BuiltinOp,
  builtinName,
  type Padding,
  type TfliteModel,
  type TfliteOperator,
  type TfliteOptions,
  type TfliteQuantization,
  type TfliteTensor,
} from './schema';

export class TfliteFormatError extends Error {
  override name = 'TfliteFormatError';
}

/** Parses a .tflite flatbuffer (first subgraph) into plain objects. Buffer data are views into `bytes`. */
export function readTflite(bytes: Uint8Array): TfliteModel {
  // File identifier "TFL3" sits at bytes 4..8.
  const ident = String.fromCharCode(bytes[4], bytes[5], bytes[6], bytes[7]);
  if (bytes.length < 8 || ident !== 'TFL3') throw new TfliteFormatError(`not a TFLite flatbuffer (identifier "${ident}")`);
  const model = FbTable.root(bytes);
  // Model: 0 version, 1 operator_codes, 2 subgraphs, 3 description, 4 buffers
  const opCodes = model.tables(1).map((c) => {
    // OperatorCode: 0 deprecated_builtin_code (int8), 3 builtin_code (int32, newer files); the larger wins.
    return Math.max(c.int8(0), c.int32(3));
  });
  const subgraphs = model.tables(2);
  if (subgraphs.length === 0) throw new TfliteFormatError('model has no subgraph');
  const sg = subgraphs[0];
  const buffers = model.tables(4).map((b) => {
    const data = b.bytes(0);
    if (!data && b.has(1)) throw new TfliteFormatError('external (offset) buffers are not supported');
    return data && data.length > 0 ? data : undefined;
  });
  // SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators, 4 name
  const tensors = sg.tables(0).map((t, index) => readTensor(t, index));
  const operators = sg.tables(3).map((op) => readOperator(op, opCodes));
  return {
    version: model.uint32(0),
    description: model.string(3),
    tensors,
    inputs: sg.int32s(1),
    outputs: sg.int32s(2),
    operators,
    buffers,
  };
}

function readTensor(t: FbTable, index: number): TfliteTensor {
  // Tensor: 0 shape, 1 type, 2 buffer, 3 name, 4 quantization
  const q = t.table(4);
  let quantization: TfliteQuantization | undefined;
  if (q) {
    // QuantizationParameters: 0 min, 1 max, 2 scale, 3 zero_point, 6 quantized_dimension
    const scale = q.float32s(2);
    if (scale.length > 0) {
      quantization = { min: q.float32s(0), max: q.float32s(1), scale, zeroPoint: q.int64s(3), quantizedDimension: q.int32(6) };
    }
  }
  return { index, shape: t.int32s(0), type: t.int8(1), buffer: t.uint32(2), name: t.string(3) ?? `tensor_${index}`, quantization };
}

function padding(code: number): Padding {
  return code === 0 ? 'SAME' : 'VALID';
}

function readOperator(op: FbTable, opCodes: number[]): TfliteOperator {
  // Operator: 0 opcode_index, 1 inputs, 2 outputs, 3 builtin_options_type, 4 builtin_options
  const builtinCode = opCodes[op.uint32(0)];
  const o = op.table(4);
  let options: TfliteOptions = { kind: 'none' };
  switch (builtinCode) {
    case BuiltinOp.CONV_2D:
      // Conv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 fused_activation_function, 4 dilation_w, 5 dilation_h
      if (!o) throw new TfliteFormatError('CONV_2D without options');
      options = {
        kind: 'conv',
        conv: {
          padding: padding(o.int8(0)),
          strideW: o.int32(1),
          strideH: o.int32(2),
          activation: activationName(o.int8(3)),
          dilationW: o.int32(4, 1),
          dilationH: o.int32(5, 1),
        },
      };
      break;
    case BuiltinOp.DEPTHWISE_CONV_2D:
      // DepthwiseConv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 depth_multiplier, 4 activation, 5/6 dilation w/h
      if (!o) throw new TfliteFormatError('DEPTHWISE_CONV_2D without options');
      options = {
        kind: 'depthwise',
        conv: {
          padding: padding(o.int8(0)),
          strideW: o.int32(1),
          strideH: o.int32(2),
          depthMultiplier: o.int32(3),
          activation: activationName(o.int8(4)),
          dilationW: o.int32(5, 1),
          dilationH: o.int32(6, 1),
        },
      };
      break;
    case BuiltinOp.AVERAGE_POOL_2D:
    case BuiltinOp.MAX_POOL_2D:
      // Pool2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 filter_width, 4 filter_height, 5 activation
      if (!o) throw new TfliteFormatError('POOL_2D without options');
      options = {
        kind: 'pool',
        pool: {
          padding: padding(o.int8(0)),
          strideW: o.int32(1),
          strideH: o.int32(2),
          filterW: o.int32(3),
          filterH: o.int32(4),
          activation: activationName(o.int8(5)),
        },
      };
      break;
    case BuiltinOp.ADD:
      // AddOptions: 0 fused_activation_function
      options = { kind: 'add', activation: activationName(o ? o.int8(0) : 0) };
      break;
    case BuiltinOp.FULLY_CONNECTED:
      // FullyConnectedOptions: 0 fused_activation_function, 1 weights_format, 2 keep_num_dims
      options = { kind: 'fullyConnected', activation: activationName(o ? o.int8(0) : 0), keepNumDims: o ? o.uint8(2) !== 0 : false };
      break;
    case BuiltinOp.RESHAPE:
      // ReshapeOptions: 0 new_shape
      options = { kind: 'reshape', newShape: o ? o.int32s(0) : [] };
      break;
    case BuiltinOp.SQUEEZE:
      // SqueezeOptions: 0 squeeze_dims (empty: every size-1 dimension)
      options = { kind: 'squeeze', squeezeDims: o ? o.int32s(0) : [] };
      break;
    case BuiltinOp.SOFTMAX:
      // SoftmaxOptions: 0 beta
      options = { kind: 'softmax', beta: o ? o.float32(0, 1) : 1 };
      break;
    default:
      break;
  }
  return { builtinCode, opName: builtinName(builtinCode), inputs: op.int32s(1), outputs: op.int32s(2), options };
}
