import type { IrGraph, IrOp } from '../tflite/ir';
import { createRng } from '../random';
import { buildFinetuneGraphs } from './finetune-graphs';
import { createFinetuneSession } from './finetune-session';
import { topSubgraph } from './top-subgraph';

/**
 * A small stand-in for a MobileNet top with every op kind fine-tuning supports: pointwise convs, a 5x5 depthwise conv
 * and a strided 3x3 one with SAME padding (asymmetric), a residual add, a dense 3x3 conv with VALID padding, RELU6 and RELU.
 */
function toyIr(): IrGraph {
  const rng = createRng(7);
  const rand = (n: number, s = 0.5) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * s);
  const conv = (out: string, input: string, o: number, k: number, i: number, strides: [number, number], padding: 'SAME' | 'VALID', activation: 'NONE' | 'RELU' | 'RELU6', layer?: string): IrOp => ({
    type: 'conv', inputs: [input], output: out, weightShape: [o, k, k, i], weights: rand(o * k * k * i), bias: rand(o, 0.1),
    strides, dilations: [1, 1], padding, activation, layer,
  });
  const ops: IrOp[] = [
    conv('t_cut', 't_in', 4, 1, 3, [1, 1], 'SAME', 'RELU6', 'cut'),
    conv('t_exp', 't_cut', 8, 1, 4, [1, 1], 'SAME', 'RELU6'),
    { type: 'depthwise', inputs: ['t_exp'], output: 't_dw5', weightShape: [1, 5, 5, 8], depthMultiplier: 1, weights: rand(200, 0.15), bias: rand(8, 0.1), strides: [1, 1], dilations: [1, 1], padding: 'SAME', activation: 'RELU6' },
    { type: 'depthwise', inputs: ['t_dw5'], output: 't_dw', weightShape: [1, 3, 3, 8], depthMultiplier: 1, weights: rand(72), bias: rand(8, 0.1), strides: [2, 2], dilations: [1, 1], padding: 'SAME', activation: 'RELU6' },
    conv('t_proj', 't_dw', 4, 1, 8, [1, 1], 'SAME', 'NONE'),
    { type: 'depthwise', inputs: ['t_cut'], output: 't_skip', weightShape: [1, 1, 1, 4], depthMultiplier: 1, weights: rand(4), bias: rand(4, 0.1), strides: [2, 2], dilations: [1, 1], padding: 'SAME', activation: 'NONE' },
    { type: 'add', inputs: ['t_proj', 't_skip'], output: 't_add', activation: 'NONE' },
    conv('t_top', 't_add', 6, 3, 4, [1, 1], 'VALID', 'RELU', 'top'),
  ];
  return {
    input: { name: 't_in', shape: [1, 6, 6, 3] },
    ops,
    layers: [{ name: 'cut', tensor: 't_cut', shape: [1, 6, 6, 4] }, { name: 'top', tensor: 't_top', shape: [1, 1, 1, 6] }],
    shapes: new Map(),
  };
}

describe('fine-tuning graphs', () => {
  it('compute the gradient of the loss for every parameter (checked against finite differences)', async () => {
    const ir = toyIr();
    const sub = topSubgraph(ir, 'cut', 'top');
    expect(sub.ops.map((o) => o.output)).toEqual(['t_exp', 't_dw5', 't_dw', 't_proj', 't_skip', 't_add', 't_top']);
    const k = 3;
    // 7x7 input with stride 2 SAME: pads 1 at the end only, the asymmetric case.
    const graphs = buildFinetuneGraphs(sub, [4, 7, 7], k);
    const session = await createFinetuneSession(graphs, [7, 7, 4], k, 1);
    const rng = createRng(3);
    const n = 5;
    const x = Float32Array.from({ length: n * 7 * 7 * 4 }, () => rng.next() * 3);
    const y = new Float32Array(n * k);
    for (let i = 0; i < n; i++) y[i * k + (i % k)] = 1 / n;
    const mask = Float32Array.from({ length: n * graphs.featureDim }, () => (rng.next() < 0.2 ? 0 : 1.25));
    // Directional finite differences move many units at once: kept away from RELU6's kinks by moderate activations.
    const params = graphs.paramDims.map((dims, i) => {
      const size = dims.reduce((a, b) => a * b, 1);
      return i < sub.params.length ? Float32Array.from(sub.params[i].init) : Float32Array.from({ length: size }, () => (rng.next() * 2 - 1) * 0.5);
    });
    const { loss, grads } = await session.trainStep(x, n, y, mask, params);
    expect(loss).toBeGreaterThan(0);
    const lossAt = async (p: Float32Array[]) => (await session.trainStep(x, n, y, mask, p)).loss;
    const bad: string[] = [];
    for (let j = 0; j < params.length; j++) {
      // Central differences on a few single entries of each tensor, at two step sizes: a large step may carry a unit
      // across a RELU6 kink (the difference quotient then disagrees), a small one meets float32 rounding of the loss.
      for (let t = 0; t < 4; t++) {
        const e = rng.int(params[j].length);
        const at = (d: number) => lossAt(params.map((p, i) => (i === j ? p.map((v, q) => (q === e ? v + d : v)) : p)));
        const quotient = async (eps: number) => ((await at(eps)) - (await at(-eps))) / (2 * eps);
        const analytic = grads[j][e];
        const [big, small] = [await quotient(1e-3), await quotient(1e-4)];
        const ok = (numeric: number) => Math.abs(numeric - analytic) < 1e-3 + 3e-2 * Math.abs(analytic);
        if (!ok(big) && !ok(small)) bad.push(`${graphs.paramNames[j]}[${e}]: numeric ${big.toFixed(5)} / ${small.toFixed(5)}, analytic ${analytic.toFixed(5)}`);
      }
    }
    expect(bad).toEqual([]);
    // Not a degenerate check: the gradients are not all zero.
    expect(grads.every((g) => g.some((v) => v !== 0))).toBe(true);
    await session.release();
  });

  it('refuses a cut that a residual connection crosses', () => {
    const ir = toyIr();
    ir.layers.splice(1, 0, { name: 'mid', tensor: 't_proj', shape: [1, 3, 3, 4] });
    expect(() => topSubgraph(ir, 'mid', 'top')).toThrow(/block boundary/);
  });
});

describe('trainTop', () => {
  it('is reproducible: the same activations, rows and seed give byte-identical weights (2 onnxruntime threads)', async () => {
    const { trainTop } = await import('./train-top');
    const { DEFAULT_TOP_TRAIN } = await import('./train-top');
    const ir = toyIr();
    const sub = topSubgraph(ir, 'cut', 'top');
    const graphs = buildFinetuneGraphs(sub, [4, 7, 7], 3);
    const session = await createFinetuneSession(graphs, [7, 7, 4], 3, 2);
    const rng = createRng(9);
    const n = 40;
    const views = [0, 1].map(() => Float32Array.from({ length: n * 7 * 7 * 4 }, () => rng.next() * 2));
    const acts = { views, viewNames: ['orig', 'flip'] as const as unknown as string[], n, shape: [7, 7, 4] as [number, number, number] };
    const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
    const rows = Array.from({ length: 30 }, (_, i) => i);
    const cfg = { ...DEFAULT_TOP_TRAIN, epochs: 3, batchSize: 8, trainViews: [0, 1] };
    const a = await trainTop(session, graphs, sub, acts as never, labels, rows, 3, cfg, 5);
    const b = await trainTop(session, graphs, sub, acts as never, labels, rows, 3, cfg, 5);
    const c = await trainTop(session, graphs, sub, acts as never, labels, rows, 3, cfg, 6);
    a.params.forEach((p, i) => expect(Buffer.from(p.buffer).equals(Buffer.from(b.params[i].buffer))).toBe(true));
    expect(a.params.some((p, i) => !Buffer.from(p.buffer).equals(Buffer.from(c.params[i].buffer)))).toBe(true);
    // It learned something: the weights moved away from the pre-trained ones.
    expect(a.params.slice(0, sub.params.length).some((p, i) => p.some((v, j) => v !== sub.params[i].init[j]))).toBe(true);
    await session.release();
  });
});
