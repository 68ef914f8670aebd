import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultBackboneDir } from '../backbones/resolve-file';
import { dequantize } from './dequantize';
import { readTflite, TfliteFormatError } from './read-tflite';
import { BuiltinOp } from './schema';

const dir = defaultBackboneDir();
const v2 = readFileSync(path.join(dir, 'mobilenet_v2_1.0_224_quant.tflite'));
const v1 = readFileSync(path.join(dir, 'mobilenet_v1_1.0_224_quant_embedding_extractor.tflite'));

describe('readTflite', () => {
  it('reads the MobileNetV2 graph: ops, options, uint8 input quantization', () => {
    const m = readTflite(v2);
    expect(m.operators).toHaveLength(66);
    const counts = new Map<string, number>();
    for (const op of m.operators) counts.set(op.opName, (counts.get(op.opName) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ CONV_2D: 36, DEPTHWISE_CONV_2D: 17, ADD: 10, AVERAGE_POOL_2D: 1, RESHAPE: 1, SOFTMAX: 1 });
    const input = m.tensors[m.inputs[0]];
    expect(input.shape).toEqual([1, 224, 224, 3]);
    // uint8 input with scale 1/128 and zero point 128: the float graph's pixel / 127.5 - 1 input range.
    expect(input.quantization).toMatchObject({ scale: [0.0078125], zeroPoint: [128] });
    const first = m.operators[0];
    expect(first.builtinCode).toBe(BuiltinOp.CONV_2D);
    expect(first.options).toEqual({
      kind: 'conv',
      conv: { padding: 'SAME', strideH: 2, strideW: 2, dilationH: 1, dilationW: 1, activation: 'RELU6' },
    });
    expect(m.tensors[m.outputs[0]].shape).toEqual([1, 1001]);
  });

  it('reads the MobileNet v1 embedding extractor ending in a 1024-d average pool', () => {
    const m = readTflite(v1);
    expect(m.operators).toHaveLength(28);
    const last = m.operators[m.operators.length - 1];
    expect(last.opName).toBe('AVERAGE_POOL_2D');
    expect(m.tensors[m.outputs[0]].shape).toEqual([1, 1, 1, 1024]);
  });

  it('reads MobileNet-EdgeTPU: its op list, squeeze dims, and an input quantized for [-1, 1]', () => {
    const m = readTflite(readFileSync(path.join(dir, 'mobilenet_edgetpu_224_1.0_uint8.tflite')));
    expect(m.operators).toHaveLength(78);
    const counts = new Map<string, number>();
    for (const op of m.operators) counts.set(op.opName, (counts.get(op.opName) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ CONV_2D: 46, DEPTHWISE_CONV_2D: 13, ADD: 15, AVERAGE_POOL_2D: 1, SQUEEZE: 1, RESHAPE: 1, SOFTMAX: 1 });
    const input = m.tensors[m.inputs[0]];
    expect(input.shape).toEqual([1, 224, 224, 3]);
    // q = 0..255 stands for (q - 128) / 127, i.e. [-1.008, 1]: the float graph wants pixel / 127.5 - 1.
    expect(input.quantization?.zeroPoint).toEqual([128]);
    expect(input.quantization?.scale[0]).toBeCloseTo(1 / 127, 9);
    const [squeeze, reshape] = m.operators.slice(-3, -1);
    expect(squeeze.options).toEqual({ kind: 'squeeze', squeezeDims: [1, 2] });
    // The converter left the output's shape empty: tfliteToIr infers it (infer-shapes.ts).
    expect(m.tensors[reshape.outputs[0]].shape).toEqual([]);
  });

  it('dequantizes uint8 weights and int32 biases with their own scale and zero point', () => {
    const m = readTflite(v2);
    const op = m.operators[0];
    const w = m.tensors[op.inputs[1]];
    const b = m.tensors[op.inputs[2]];
    const wf = dequantize(m, w);
    const raw = m.buffers[w.buffer]!;
    const q = w.quantization!;
    expect(wf).toHaveLength(32 * 3 * 3 * 3);
    for (const i of [0, 17, 863]) expect(wf[i]).toBeCloseTo(q.scale[0] * (raw[i] - q.zeroPoint[0]), 6);
    const bf = dequantize(m, b);
    const braw = m.buffers[b.buffer]!;
    const dv = new DataView(braw.buffer, braw.byteOffset, braw.byteLength);
    expect(bf[5]).toBeCloseTo(dv.getInt32(20, true) * b.quantization!.scale[0], 6);
    // Real folded batch-norm weights: centred, not all zero, modest magnitude.
    const maxAbs = wf.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    expect(maxAbs).toBeGreaterThan(0.5);
    expect(maxAbs).toBeLessThan(10);
  });

  it('rejects bytes that are not a TFLite flatbuffer', () => {
    expect(() => readTflite(new Uint8Array(64))).toThrow(TfliteFormatError);
    expect(() => readTflite(readFileSync(path.join(dir, 'imagenet_labels.txt')))).toThrow(TfliteFormatError);
  });
});
