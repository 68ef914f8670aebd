import type { Activation } from '../tflite/schema';
import { int, ints, OnnxGraph } from './graph-builder';
import { convOut, inferTopShapes, type TopSubgraph } from './top-subgraph';

/**
 * ONNX graphs that train a backbone's top on onnxruntime, which has no training API in Node: the forward pass and its
 * gradients are written out as ordinary inference ops, so one `session.run` computes the loss and every parameter's
 * gradient with onnxruntime's multi-threaded CPU kernels (TF.js' wasm backend runs one thread and has no depthwise
 * gradients). Parameters are graph inputs, so the optimizer (in JS) feeds the current values each step.
 *
 * train:   x [N,H,W,C] cut activations (NHWC, as cached), y [N,K] soft targets whose rows sum to the sample's weight
 *          (weights summing to 1 over the batch), mask [N,D] dropout multipliers, params... ->
 *          loss (scalar, mean weighted cross-entropy), logits [N,K], grad_<param>...
 * predict: x, params... -> logits [N,K], features [N,D] (the pooled top, before the head)
 */
export interface FinetuneGraphs {
  train: Uint8Array;
  predict: Uint8Array;
  /** Parameter inputs in order: the top's (TopSubgraph.params) then head_w [K,D], head_b [K]. */
  paramNames: string[];
  paramDims: number[][];
  /** Width of the pooled top (the head's input). */
  featureDim: number;
}

export const HEAD_W = 'head_w';
export const HEAD_B = 'head_b';

export function buildFinetuneGraphs(sub: TopSubgraph, cutShape: [number, number, number], numClasses: number): FinetuneGraphs {
  const shapes = inferTopShapes(sub, cutShape);
  const [d] = shapes.get(sub.top.tensor)!;
  const paramNames = [...sub.params.map((p) => p.name), HEAD_W, HEAD_B];
  const paramDims = [...sub.params.map((p) => p.dims), [numClasses, d], [numClasses]];
  return {
    train: build(true),
    predict: build(false),
    paramNames,
    paramDims,
    featureDim: d,
  };

  function build(train: boolean): Uint8Array {
    const g = new OnnxGraph();
    const [c, h, w] = cutShape;
    g.input('x', ['N', h, w, c]);
    if (train) {
      g.input('y', ['N', numClasses]);
      g.input('mask', ['N', d]);
    }
    paramNames.forEach((p, i) => g.input(p, paramDims[i]));
    const t = new Map<string, string>([[sub.cut.tensor, g.op('Transpose', ['x'], [ints('perm', [0, 3, 1, 2])])]]);
    const pre = new Map<string, string>();
    const params = new Map(sub.params.map((p) => [p.name, p]));

    // Forward.
    for (const op of sub.ops) {
      const x = t.get(op.inputs[0])!;
      let z: string;
      if (op.type === 'conv' || op.type === 'depthwise') {
        const [, hIn, wIn] = shapes.get(op.inputs[0])!;
        const [o, kh, kw, i] = op.weightShape;
        const ph = convOut(hIn, kh, op.strides[0], op.padding);
        const pw = convOut(wIn, kw, op.strides[1], op.padding);
        z = g.op('Conv', [x, `${op.output}_w`, `${op.output}_b`], [
          ints('kernel_shape', [kh, kw]), ints('strides', op.strides), int('group', op.type === 'conv' ? 1 : i),
          ints('pads', [ph.padBegin, pw.padBegin, ph.padEnd, pw.padEnd]),
        ]);
        void o;
      } else if (op.type === 'add') {
        z = g.op('Add', [x, t.get(op.inputs[1])!]);
      } else if (op.type === 'avgpool') {
        z = g.op('GlobalAveragePool', [x]);
      } else {
        throw new Error(`unexpected op ${op.type}`);
      }
      pre.set(op.output, z);
      t.set(op.output, activate(g, z, 'activation' in op ? op.activation : 'NONE'));
    }
    const feat = g.op('Flatten', [g.op('GlobalAveragePool', [t.get(sub.top.tensor)!])], [int('axis', 1)]);

    if (!train) {
      g.op('Gemm', [feat, HEAD_W, HEAD_B], [int('transB', 1)], 'logits');
      g.op('Identity', [feat], [], 'features');
      g.output('logits', ['N', numClasses]);
      g.output('features', ['N', d]);
      return g.encode('tailor_finetune_predict');
    }

    const featD = g.op('Mul', [feat, 'mask']);
    const logits = g.op('Gemm', [featD, HEAD_W, HEAD_B], [int('transB', 1)], 'logits');
    const lsm = g.op('LogSoftmax', [logits], [int('axis', 1)]);
    g.op('Neg', [g.op('ReduceSum', [g.op('Mul', ['y', lsm])], [int('keepdims', 0)])], [], 'loss');

    // Backward. dL/dlogits = softmax * rowsum(y) - y.
    const rowSum = g.op('ReduceSum', ['y', g.int64s([1])], [int('keepdims', 1)]);
    const dz = g.op('Sub', [g.op('Mul', [g.op('Exp', [lsm]), rowSum]), 'y']);
    const grads = new Map<string, string>();
    grads.set(HEAD_W, g.op('Gemm', [dz, featD], [int('transA', 1)]));
    grads.set(HEAD_B, g.op('ReduceSum', [dz, g.int64s([0])], [int('keepdims', 0)]));
    const dFeat = g.op('Mul', [g.op('MatMul', [dz, HEAD_W]), 'mask']);
    const pending = new Map<string, string[]>();
    const give = (tensor: string, grad: string) => (tensor === sub.cut.tensor ? undefined : pending.set(tensor, [...(pending.get(tensor) ?? []), grad]));
    give(sub.top.tensor, spreadPool(g, dFeat, t.get(sub.top.tensor)!, shapes.get(sub.top.tensor)!));

    for (const op of [...sub.ops].reverse()) {
      const parts = pending.get(op.output);
      if (!parts) continue;
      const dOut = parts.length === 1 ? parts[0] : g.op('Sum', parts);
      const dz = activationGrad(g, dOut, pre.get(op.output)!, 'activation' in op ? op.activation : 'NONE');
      const x = t.get(op.inputs[0])!;
      if (op.type === 'add') {
        give(op.inputs[0], dz);
        give(op.inputs[1], dz);
      } else if (op.type === 'avgpool') {
        give(op.inputs[0], spreadPool(g, g.op('Flatten', [dz], [int('axis', 1)]), x, shapes.get(op.inputs[0])!));
      } else if (op.type === 'conv' || op.type === 'depthwise') {
        const wName = `${op.output}_w`;
        const p = params.get(wName)!;
        const [cIn, hIn, wIn] = shapes.get(op.inputs[0])!;
        const [, kh, kw] = op.weightShape;
        const [sh, sw] = op.strides;
        const ph = convOut(hIn, kh, sh, op.padding);
        const pw = convOut(wIn, kw, sw, op.padding);
        const pointwise = op.type === 'conv' && kh === 1 && kw === 1 && sh === 1 && sw === 1;
        const group = op.type === 'conv' ? 1 : cIn;
        grads.set(`${op.output}_b`, g.op('ReduceSum', [dz, g.int64s([0, 2, 3])], [int('keepdims', 0)]));
        // Weight gradient.
        const dzT = group === 1 && !pointwise ? g.op('Transpose', [dz], [ints('perm', [1, 0, 2, 3])]) : ''; // [O, N, OH, OW]
        if (pointwise) {
          const xm = g.op('Reshape', [g.op('Transpose', [x], [ints('perm', [1, 0, 2, 3])]), g.int64s([cIn, -1])]);
          const dzm = g.op('Reshape', [g.op('Transpose', [dz], [ints('perm', [1, 0, 2, 3])]), g.int64s([p.dims[0], -1])]);
          grads.set(wName, g.op('Reshape', [g.op('Gemm', [dzm, xm], [int('transB', 1)]), g.int64s(p.dims)]));
        } else if (group === cIn) {
          // Depthwise: one strided window of the padded input per kernel tap, times the output gradient, summed. These
          // are plain elementwise ops; the batch-as-channels grouped convolution below is ~10x slower in onnxruntime for
          // hundreds of groups.
          const [, oh, ow] = shapes.get(op.output)!;
          const xp = g.op('Pad', [x, g.int64s([0, 0, ph.padBegin, pw.padBegin, 0, 0, ph.padEnd, pw.padEnd])]);
          const taps: string[] = [];
          for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
              const win = g.op('Slice', [xp, g.int64s([i, j]), g.int64s([i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1]), g.int64s([2, 3]), g.int64s([sh, sw])]);
              taps.push(g.op('ReduceSum', [g.op('Mul', [win, dz]), g.int64s([0, 2, 3])], [int('keepdims', 0)]));
            }
          }
          const stacked = g.op('Concat', taps.map((tap) => g.op('Unsqueeze', [tap, g.int64s([1])])), [int('axis', 1)]); // [C, kh*kw]
          grads.set(wName, g.op('Reshape', [stacked, g.int64s(p.dims)]));
        } else {
          // Correlate the padded input with the output gradient, the batch acting as channels (dilation = stride).
          const xp = g.op('Pad', [x, g.int64s([0, 0, ph.padBegin, pw.padBegin, 0, 0, ph.padEnd, pw.padEnd])]);
          const xpT = g.op('Transpose', [xp], [ints('perm', [1, 0, 2, 3])]); // [Cin, N, Hp, Wp]
          const corr = g.op('Conv', [xpT, dzT], [ints('dilations', [sh, sw])]); // [Cin, O, kh', kw']
          grads.set(wName, g.op('Transpose', [crop(g, corr, kh, kw)], [ints('perm', [1, 0, 2, 3])]));
        }
        // Input gradient (not needed below the cut).
        if (op.inputs[0] !== sub.cut.tensor) {
          if (pointwise) {
            const wT = g.op('Transpose', [wName], [ints('perm', [1, 0, 2, 3])]);
            give(op.inputs[0], g.op('Conv', [dz, wT]));
          } else {
            const [, oh, ow] = shapes.get(op.output)!;
            const qh = (oh - 1) * sh + kh;
            const qw = (ow - 1) * sw + kw;
            let full: string;
            if (group === cIn) {
              // Depthwise: the "full" depthwise convolution of the stride-dilated gradient with the flipped kernel, a
              // forward depthwise conv (fast in onnxruntime) instead of a grouped ConvTranspose.
              let d = dz;
              if (sh > 1 || sw > 1) {
                const spread = g.op('Pad', [g.op('Reshape', [dz, g.int64s([0, 0, oh, 1, ow, 1])]), g.int64s([0, 0, 0, 0, 0, 0, 0, 0, 0, sh - 1, 0, sw - 1])]);
                d = g.op('Slice', [g.op('Reshape', [spread, g.int64s([0, 0, oh * sh, ow * sw])]), g.int64s([0, 0]), g.int64s([(oh - 1) * sh + 1, (ow - 1) * sw + 1]), g.int64s([2, 3])]);
              }
              const padded = g.op('Pad', [d, g.int64s([0, 0, kh - 1, kw - 1, 0, 0, kh - 1, kw - 1])]);
              const flipped = g.op('Slice', [wName, g.int64s([-1, -1]), g.int64s([-(kh + 1), -(kw + 1)]), g.int64s([2, 3]), g.int64s([-1, -1])]);
              full = g.op('Conv', [padded, flipped], [ints('kernel_shape', [kh, kw]), int('group', cIn)]); // [N, C, qh, qw]
            } else {
              full = g.op('ConvTranspose', [dz, wName], [ints('kernel_shape', [kh, kw]), ints('strides', [sh, sw]), int('group', group)]);
            }
            const hp = hIn + ph.padBegin + ph.padEnd;
            const wp = wIn + pw.padBegin + pw.padEnd;
            if (qh < hp || qw < wp) full = g.op('Pad', [full, g.int64s([0, 0, 0, 0, 0, 0, Math.max(hp - qh, 0), Math.max(wp - qw, 0)])]);
            give(op.inputs[0], g.op('Slice', [full, g.int64s([ph.padBegin, pw.padBegin]), g.int64s([ph.padBegin + hIn, pw.padBegin + wIn]), g.int64s([2, 3])]));
          }
        }
      }
    }
    g.output('loss', []);
    g.output('logits', ['N', numClasses]);
    paramNames.forEach((p, i) => {
      const grad = grads.get(p);
      if (!grad) throw new Error(`no gradient reaches parameter ${p}`);
      g.op('Identity', [grad], [], `grad_${p}`);
      g.output(`grad_${p}`, paramDims[i]);
    });
    void c;
    return g.encode('tailor_finetune_train');
  }
}

function activate(g: OnnxGraph, z: string, act: Activation): string {
  if (act === 'NONE') return z;
  if (act === 'RELU') return g.op('Relu', [z]);
  return g.op('Clip', [z, g.scalar(0), g.scalar(6)]);
}

/** dL/dz from dL/dy for y = act(z): the derivative is 1 where the activation is not clamped. */
function activationGrad(g: OnnxGraph, dy: string, z: string, act: Activation): string {
  if (act === 'NONE') return dy;
  let open = g.op('Greater', [z, g.scalar(0)]);
  if (act === 'RELU6') open = g.op('And', [open, g.op('Less', [z, g.scalar(6)])]);
  return g.op('Where', [open, dy, g.scalar(0)]);
}

/** Gradient of a global average pool: dL/dfeat [N,C] spread evenly over the pooled map's H x W positions. */
function spreadPool(g: OnnxGraph, dFeat: string, map: string, [, h, w]: [number, number, number]): string {
  const scaled = g.op('Mul', [g.op('Reshape', [dFeat, g.int64s([0, -1, 1, 1])]), g.scalar(1 / (h * w))]);
  return g.op('Expand', [scaled, g.op('Shape', [map])]);
}

function crop(g: OnnxGraph, t: string, kh: number, kw: number): string {
  return g.op('Slice', [t, g.int64s([0, 0]), g.int64s([kh, kw]), g.int64s([2, 3])]);
}
