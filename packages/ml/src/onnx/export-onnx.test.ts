/** @jest-environment ./packages/ml/src/onnx/jest-ort-environment.js */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { getBackboneSpec } from '../backbones/catalog';
import { defaultBackboneDir } from '../backbones/resolve-file';
import { readTflite } from '../tflite/read-tflite';
import { tfliteToIr } from '../tflite/to-ir';
import { irToOnnx } from './export-onnx';
import { ModelProto } from './onnx-proto';
import { createOnnxRunner } from './onnx-session';

const spec = getBackboneSpec('mobilenet_v2_1.0_224_quant');
const bytes = readFileSync(path.join(defaultBackboneDir(), spec.fileName));

describe('irToOnnx', () => {
  // Speed is a benchmark figure (bench/embed-speed.ts), not a unit-test assertion: CI machines are shared.
  it('imports and converts MobileNetV2', () => {
    const ir = tfliteToIr(readTflite(bytes), spec.nameLayer);
    const onnx = irToOnnx(ir, { outputs: ['probabilities', 'pool_block_13'] });
    const decoded = ModelProto.toObject(ModelProto.decode(onnx), { longs: Number }) as {
      graph: { node: { opType: string }[]; input: { name: string }[]; output: { name: string }[] };
      opsetImport: { version: number }[];
    };
    expect(decoded.opsetImport[0].version).toBe(13);
    expect(decoded.graph.input.map((i) => i.name)).toEqual(['input']);
    expect(decoded.graph.output.map((o) => o.name)).toEqual(['probabilities', 'pool_block_13']);
    const ops = decoded.graph.node.map((n) => n.opType);
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(53);
    expect(ops.filter((o) => o === 'Transpose')).toHaveLength(1);
  });

  it('prunes ops that requested outputs do not need', () => {
    const ir = tfliteToIr(readTflite(bytes), spec.nameLayer);
    const early = ModelProto.decode(irToOnnx(ir, { outputs: ['pool_block_2'] })) as unknown as { graph: { node: { opType: string }[] } };
    // stem conv + block_0 (dw, project) + block_1 (expand, dw, project) + block_2 (expand, dw, project) = 9 convs
    expect(early.graph.node.filter((n) => n.opType === 'Conv')).toHaveLength(9);
    expect(() => irToOnnx(ir, { outputs: ['block_99'] })).toThrow(/unknown layer "block_99"/);
    expect(() => irToOnnx(ir, { outputs: ['pool_logits'] })).toThrow(/only 4-D layers/);
  });

  it('runs on onnxruntime at 96, 128, 160 and 224 with named intermediate outputs', async () => {
    const ir = tfliteToIr(readTflite(bytes), spec.nameLayer);
    const runner = await createOnnxRunner(irToOnnx(ir, { outputs: ['block_13', 'pool_block_13', 'pool_conv_1', 'logits'], concatAs: 'emb' }));
    try {
      for (const size of [96, 128, 160, 224]) {
        const n = 2;
        const x = new Float32Array(n * size * size * 3).map((_, i) => Math.sin(i) * 0.9);
        const out = await runner.run(x, [n, size, size, 3]);
        const s = Math.ceil(size / 32);
        expect(out.block_13.dims).toEqual([n, s, s, 160]);
        expect(out.pool_block_13.dims).toEqual([n, 160]);
        expect(out.pool_conv_1.dims).toEqual([n, 1280]);
        expect(out.logits.dims).toEqual([n, 1001]);
        expect(out.emb.dims).toEqual([n, 160 + 1280 + 1001]);
        // The pooled output is the spatial mean of the NHWC map.
        const mean0 = Array.from({ length: s * s }, (_, p) => out.block_13.data[p * 160]).reduce((a, b) => a + b, 0) / (s * s);
        expect(out.pool_block_13.data[0]).toBeCloseTo(mean0, 4);
        expect(out.emb.data[0]).toBeCloseTo(out.pool_block_13.data[0], 6);
      }
    } finally {
      await runner.release();
    }
  });

  it('converts MobileNet-EdgeTPU (shapes inferred, no-op reshape dropped) and runs it at 96, 160 and 224', async () => {
    const edge = getBackboneSpec('mobilenet_edgetpu_224_1.0_uint8');
    const ir = tfliteToIr(readTflite(readFileSync(path.join(defaultBackboneDir(), edge.fileName))), edge.nameLayer);
    const outputs = ['block_16', 'pool_block_8', 'pool_conv_1', 'logits', 'probabilities'];
    const onnx = irToOnnx(ir, { outputs });
    const decoded = ModelProto.decode(onnx) as unknown as { graph: { node: { opType: string }[] } };
    const ops = decoded.graph.node.map((n) => n.opType);
    // 45 body convs + the 1x1 logits conv, 13 depthwise; one Flatten for the squeeze, two for the pooled outputs.
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(59);
    expect(ops.filter((o) => o === 'Flatten')).toHaveLength(3);
    expect(ops).not.toContain('Reshape');
    const runner = await createOnnxRunner(onnx);
    try {
      for (const size of [96, 160, 224]) {
        const n = 2;
        const x = new Float32Array(n * size * size * 3).map((_, i) => Math.sin(i * 0.37) * 0.9);
        const out = await runner.run(x, [n, size, size, 3]);
        expect(out.block_16.dims).toEqual([n, size / 16, size / 16, 96]);
        expect(out.pool_block_8.dims).toEqual([n, 48]);
        expect(out.pool_conv_1.dims).toEqual([n, 1280]);
        expect(out.logits.dims).toEqual([n, 1001]);
        // probabilities = softmax(logits) row by row: the dropped reshape really was a no-op.
        const logits = out.logits.data.subarray(0, 1001);
        const max = logits.reduce((a, b) => Math.max(a, b), -Infinity);
        const z = logits.reduce((a, v) => a + Math.exp(v - max), 0);
        for (const k of [0, 1, 500, 1000]) expect(out.probabilities.data[k]).toBeCloseTo(Math.exp(logits[k] - max) / z, 6);
      }
    } finally {
      await runner.release();
    }
  });
});
