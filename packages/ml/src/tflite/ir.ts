import type { Activation, Padding } from './schema';

/**
 * A small engine-neutral graph of float ops, produced from a .tflite file and consumed by the ONNX exporter and the
 * TF.js builder. Tensors are named `t<tfliteIndex>`; layouts follow TFLite (NHWC activations, OHWI conv weights,
 * 1HW(C*M) depthwise weights, [out, in] fully-connected weights) so both engines convert from one convention.
 */
export interface ConvAttrs {
  strides: [number, number];
  dilations: [number, number];
  padding: Padding;
  activation: Activation;
}

interface IrOpBase {
  inputs: string[];
  output: string;
  /** Layer label (e.g. `block_13`) when this op's output is the end of a named layer. */
  layer?: string;
}

export interface IrConv extends IrOpBase, ConvAttrs {
  type: 'conv';
  /** [O, kH, kW, I] */
  weightShape: [number, number, number, number];
  weights: Float32Array;
  bias: Float32Array;
}

export interface IrDepthwise extends IrOpBase, ConvAttrs {
  type: 'depthwise';
  /** [1, kH, kW, C * multiplier] */
  weightShape: [number, number, number, number];
  depthMultiplier: number;
  weights: Float32Array;
  bias: Float32Array;
}

export interface IrAdd extends IrOpBase {
  type: 'add';
  activation: Activation;
}

export interface IrAvgPool extends IrOpBase {
  type: 'avgpool';
  /** True when the pool covers the whole feature map at the reference size: exported as a global pool so any H/W works. */
  global: boolean;
  filter: [number, number];
  strides: [number, number];
  padding: Padding;
  activation: Activation;
}

/** [N, 1, 1, C] -> [N, C] (TFLite RESHAPE/SQUEEZE after a global pool). */
export interface IrFlatten extends IrOpBase {
  type: 'flatten';
}

export interface IrSoftmax extends IrOpBase {
  type: 'softmax';
  beta: number;
}

export interface IrDense extends IrOpBase {
  type: 'dense';
  /** [out, in] */
  weightShape: [number, number];
  weights: Float32Array;
  bias: Float32Array;
  activation: Activation;
}

export type IrOp = IrConv | IrDepthwise | IrAdd | IrAvgPool | IrFlatten | IrSoftmax | IrDense;

export interface IrLayerInfo {
  name: string;
  tensor: string;
  /** NHWC (or [N, C]) shape at the model's reference input size. */
  shape: number[];
}

export interface IrGraph {
  input: { name: string; shape: number[] };
  ops: IrOp[];
  /** Named layers in graph order. */
  layers: IrLayerInfo[];
  /** Shapes at the reference input size, by tensor name. */
  shapes: Map<string, number[]>;
}
