/** The subset of the TFLite schema (tensorflow/lite/schema/schema.fbs) this importer understands. */

export const BuiltinOp = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  MEAN: 40,
  SQUEEZE: 43,
  QUANTIZE: 114,
} as const;

export const TensorType = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, INT8: 9 } as const;

export type Padding = 'SAME' | 'VALID';
export type Activation = 'NONE' | 'RELU' | 'RELU6';

export interface TfliteQuantization {
  scale: number[];
  zeroPoint: number[];
  min: number[];
  max: number[];
  quantizedDimension: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: number;
  buffer: number;
  quantization?: TfliteQuantization;
}

export interface ConvOptions {
  padding: Padding;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  activation: Activation;
}

export interface DepthwiseOptions extends ConvOptions {
  depthMultiplier: number;
}

export interface PoolOptions {
  padding: Padding;
  strideH: number;
  strideW: number;
  filterH: number;
  filterW: number;
  activation: Activation;
}

export type TfliteOptions =
  | { kind: 'conv'; conv: ConvOptions }
  | { kind: 'depthwise'; conv: DepthwiseOptions }
  | { kind: 'pool'; pool: PoolOptions }
  | { kind: 'add'; activation: Activation }
  | { kind: 'fullyConnected'; activation: Activation; keepNumDims: boolean }
  | { kind: 'reshape'; newShape: number[] }
  | { kind: 'squeeze'; squeezeDims: number[] }
  | { kind: 'softmax'; beta: number }
  | { kind: 'none' };

export interface TfliteOperator {
  builtinCode: number;
  opName: string;
  inputs: number[];
  outputs: number[];
  options: TfliteOptions;
}

export interface TfliteModel {
  version: number;
  description?: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
  /** Buffer contents by buffer index (empty for activations). */
  buffers: (Uint8Array | undefined)[];
}

export function activationName(code: number): Activation {
  switch (code) {
    case 0:
      return 'NONE';
    case 1:
      return 'RELU';
    case 3:
      return 'RELU6';
    default:
      throw new Error(`unsupported fused activation function code ${code}`);
  }
}

export function builtinName(code: number): string {
  const hit = Object.entries(BuiltinOp).find(([, v]) => v === code);
  return hit ? hit[0] : `BUILTIN_${code}`;
}
