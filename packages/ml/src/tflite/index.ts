export { readTflite, TfliteFormatError } from './read-tflite';
export { tfliteToIr, type LayerNamer } from './to-ir';
export { dequantize } from './dequantize';
export { inferShapes, ShapeInferenceError } from './infer-shapes';
export type { IrGraph, IrOp, IrLayerInfo, IrConv, IrDepthwise, IrAdd, IrAvgPool, IrFlatten, IrSoftmax, IrDense } from './ir';
export type { TfliteModel, TfliteTensor, TfliteOperator, Activation, Padding } from './schema';
export { resolveOutputs, neededTensors, outputWidth, type ResolvedOutput } from './ir-utils';
