import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultBackboneDir } from '../backbones/resolve-file';
import { inferShapes, reshapeTarget, ShapeInferenceError, spatialOut } from './infer-shapes';
import { readTflite } from './read-tflite';
import { BuiltinOp, TensorType, type TfliteModel, type TfliteOperator } from './schema';

const dir = defaultBackboneDir();
const read = (file: string) => readTflite(readFileSync(path.join(dir, file)));

/** A hand-made model: input [1, 8, 8, 2] -> one op per entry; tensors 0..n with the given recorded shapes. */
function tinyModel(recorded: number[][], operators: TfliteOperator[], constants: Record<number, Uint8Array> = {}): TfliteModel {
  const buffers: (Uint8Array | undefined)[] = [undefined];
  const tensors = recorded.map((shape, index) => {
    const data = constants[index];
    if (data) buffers.push(data);
    return { index, name: `t${index}`, shape, type: data ? TensorType.INT32 : TensorType.FLOAT32, buffer: data ? buffers.length - 1 : 0 };
  });
  return { version: 3, tensors, inputs: [0], outputs: [recorded.length - 1], operators, buffers };
}

const int32s = (...v: number[]) => new Uint8Array(Int32Array.from(v).buffer);

describe('inferShapes', () => {
  it('fills the activation shapes MobileNet-EdgeTPU leaves empty, from the input through the graph', () => {
    const m = read('mobilenet_edgetpu_224_1.0_uint8.tflite');
    const activations = m.operators.map((op) => op.outputs[0]);
    // The converter recorded no activation shape at all: everything below is computed.
    expect(activations.every((t) => m.tensors[t].shape.length === 0)).toBe(true);
    const shapes = inferShapes(m);
    const out = (i: number) => shapes[m.operators[i].outputs[0]];
    expect(out(0)).toEqual([1, 112, 112, 32]); // stem: 3x3 stride 2, SAME
    expect(out(2)).toEqual([1, 56, 56, 128]); // fused expand: full 3x3 conv, stride 2
    expect(out(55)).toEqual([1, 7, 7, 768]); // 5x5 depthwise, stride 2
    expect(out(73)).toEqual([1, 1, 1, 1280]); // 7x7 VALID average pool
    expect(out(74)).toEqual([1, 1, 1, 1001]); // logits as a 1x1 conv
    expect(out(75)).toEqual([1, 1001]); // SQUEEZE dims [1, 2]
    expect(out(76)).toEqual([1, 1001]); // RESHAPE to [-1, 1001]: a no-op
    expect(shapes[m.outputs[0]]).toEqual([1, 1001]);
  });

  it('reproduces every shape MobileNetV2 and v1 record (their converter wrote them all)', () => {
    for (const file of ['mobilenet_v2_1.0_224_quant.tflite', 'mobilenet_v1_1.0_224_quant_embedding_extractor.tflite']) {
      const m = read(file);
      const shapes = inferShapes(m);
      for (const op of m.operators) expect(shapes[op.outputs[0]]).toEqual(m.tensors[op.outputs[0]].shape);
    }
  });

  it('refuses a recorded shape that contradicts the graph', () => {
    const conv: TfliteOperator = {
      builtinCode: BuiltinOp.CONV_2D, opName: 'CONV_2D', inputs: [0, 1, -1], outputs: [2],
      options: { kind: 'conv', conv: { padding: 'VALID', strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, activation: 'NONE' } },
    };
    // 8x8, 3x3 VALID stride 2 -> 3x3x4; a file claiming 4x4 is misread somewhere.
    expect(inferShapes(tinyModel([[1, 8, 8, 2], [4, 3, 3, 2], [1, 3, 3, 4]], [conv]))[2]).toEqual([1, 3, 3, 4]);
    expect(() => inferShapes(tinyModel([[1, 8, 8, 2], [4, 3, 3, 2], [1, 4, 4, 4]], [conv]))).toThrow(ShapeInferenceError);
  });

  it('reads a RESHAPE target from its constant shape input and a SQUEEZE from its dims', () => {
    const reshape: TfliteOperator = { builtinCode: BuiltinOp.RESHAPE, opName: 'RESHAPE', inputs: [0, 1], outputs: [2], options: { kind: 'reshape', newShape: [] } };
    const squeeze: TfliteOperator = { builtinCode: BuiltinOp.SQUEEZE, opName: 'SQUEEZE', inputs: [2], outputs: [3], options: { kind: 'squeeze', squeezeDims: [2] } };
    const shapes = inferShapes(tinyModel([[1, 8, 8, 2], [3], [], []], [reshape, squeeze], { 1: int32s(-1, 64, 2) }));
    expect(shapes[2]).toEqual([1, 64, 2]);
    expect(shapes[3]).toEqual([1, 64]);
  });

  it('says which op it cannot follow when a shape is missing', () => {
    const mean: TfliteOperator = { builtinCode: BuiltinOp.MEAN, opName: 'MEAN', inputs: [0], outputs: [1], options: { kind: 'none' } };
    expect(() => inferShapes(tinyModel([[1, 8, 8, 2], []], [mean]))).toThrow('cannot infer the output shape of MEAN');
    // A recorded shape is trusted for ops this importer does not model.
    expect(inferShapes(tinyModel([[1, 8, 8, 2], [1, 2]], [mean]))[1]).toEqual([1, 2]);
  });
});

describe('spatialOut / reshapeTarget', () => {
  it('follows TF padding rules', () => {
    expect(spatialOut(224, 3, 2, 1, 'SAME')).toBe(112);
    expect(spatialOut(7, 3, 2, 1, 'SAME')).toBe(4);
    expect(spatialOut(7, 7, 1, 1, 'VALID')).toBe(1);
    expect(spatialOut(8, 3, 2, 1, 'VALID')).toBe(3);
    expect(spatialOut(10, 3, 1, 2, 'VALID')).toBe(6);
  });

  it('resolves one -1 and keeps the element count', () => {
    expect(reshapeTarget([4, 1001], [-1, 1001])).toEqual([4, 1001]);
    expect(reshapeTarget([2, 1, 1, 8], [2, -1])).toEqual([2, 8]);
    expect(() => reshapeTarget([2, 8], [-1, -1])).toThrow(/more than one -1/);
    expect(() => reshapeTarget([2, 8], [3, -1])).toThrow(/cannot reshape/);
  });
});
