import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { getBackboneSpec } from '../backbones/catalog';
import { defaultBackboneDir } from '../backbones/resolve-file';
import { readTflite } from './read-tflite';
import { BuiltinOp, TensorType, type TfliteModel, type TfliteOperator } from './schema';
import { tfliteToIr } from './to-ir';

const edgetpu = getBackboneSpec('mobilenet_edgetpu_224_1.0_uint8');

/** input [1, 2, 2, 3] -> RESHAPE (constant target `target`) -> output. */
function reshapeModel(target: number[]): TfliteModel {
  const op: TfliteOperator = { builtinCode: BuiltinOp.RESHAPE, opName: 'RESHAPE', inputs: [0, 1], outputs: [2], options: { kind: 'reshape', newShape: [] } };
  return {
    version: 3,
    tensors: [
      { index: 0, name: 'input', shape: [1, 2, 2, 3], type: TensorType.FLOAT32, buffer: 0 },
      { index: 1, name: 'shape', shape: [target.length], type: TensorType.INT32, buffer: 1 },
      { index: 2, name: 'out', shape: [], type: TensorType.FLOAT32, buffer: 0 },
    ],
    inputs: [0],
    outputs: [2],
    operators: [op],
    buffers: [undefined, new Uint8Array(Int32Array.from(target).buffer)],
  };
}

describe('tfliteToIr', () => {
  it('converts MobileNet-EdgeTPU: fused 3x3 convs, 5x5 depthwise, logits as a 1x1 conv, the no-op reshape dropped', () => {
    const ir = tfliteToIr(readTflite(readFileSync(path.join(defaultBackboneDir(), edgetpu.fileName))), edgetpu.nameLayer);
    const counts: Record<string, number> = {};
    for (const op of ir.ops) counts[op.type] = (counts[op.type] ?? 0) + 1;
    // 78 TFLite ops minus the [N,1001] -> [N,1001] RESHAPE; the SQUEEZE [N,1,1,1001] -> [N,1001] is the flatten.
    expect(counts).toEqual({ conv: 46, depthwise: 13, add: 15, avgpool: 1, flatten: 1, softmax: 1 });
    const [flatten, softmax] = ir.ops.slice(-2);
    expect(flatten.type).toBe('flatten');
    expect(softmax.inputs).toEqual([flatten.output]);
    const pool = ir.ops.find((op) => op.type === 'avgpool');
    expect(pool).toMatchObject({ global: true, filter: [7, 7] });
    const dw5 = ir.ops.filter((op) => op.type === 'depthwise' && op.weightShape[1] === 5);
    expect(dw5).toHaveLength(4);
    expect(dw5.every((op) => op.type === 'depthwise' && op.depthMultiplier === 1)).toBe(true);
    expect(ir.input).toEqual({ name: 't0', shape: [1, 224, 224, 3] });
    const layer = (n: string) => ir.layers.find((l) => l.name === n);
    expect(layer('logits')).toMatchObject({ tensor: flatten.output, shape: [1, 1001] });
    expect(layer('probabilities')).toMatchObject({ tensor: softmax.output, shape: [1, 1001] });
  });

  it('drops a reshape to the same shape, flattens [N,1,1,C] and refuses other reshapes', () => {
    const same = tfliteToIr(reshapeModel([-1, 2, 2, 3]));
    expect(same.ops).toEqual([]);
    expect(() => tfliteToIr(reshapeModel([1, 12]))).toThrow(/only \[N,1,1,C\] -> \[N,C\] and no-op reshapes/);
  });
});
