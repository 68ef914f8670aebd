import type { CnnArtifact } from '../cnn/artifact';
import { int, ints } from '../finetune/graph-builder';
import { OnnxAttrType } from '../onnx/onnx-proto';
import type { ComposedGraph } from './onnx-compose';

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}

const str = (name: string, s: string) => ({ name, type: OnnxAttrType.STRING, s: new TextEncoder().encode(s) });
const float = (name: string, f: number) => ({ name, type: OnnxAttrType.FLOAT, f });

/** The saved tfjs weights by name ("conv2d_1/kernel"), in the order and shapes the weight specs give. */
function readWeights(cnn: CnnArtifact, specs: Array<{ name: string; shape: number[]; dtype?: string }>): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  const view = Buffer.from(cnn.weights.buffer, cnn.weights.byteOffset, cnn.weights.byteLength);
  let off = 0;
  for (const s of specs) {
    if (s.dtype && s.dtype !== 'float32') throw new Error(`CNN weight ${s.name} is ${s.dtype}; only float32 is exported`);
    const n = s.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.readFloatLE(off + 4 * i);
    out.set(s.name, { shape: s.shape, data });
    off += 4 * n;
  }
  if (off !== view.length) throw new Error(`CNN weights file has ${view.length} bytes, the specs describe ${off}`);
  return out;
}

/** HWIO (Keras) -> OIHW (ONNX). */
function hwioToOihw(w: Float32Array, [h, wd, i, o]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < wd; x++)
      for (let c = 0; c < i; c++)
        for (let k = 0; k < o; k++) out[((k * i + c) * h + y) * wd + x] = w[((y * wd + x) * i + c) * o + k];
  return out;
}

const pair = (v: unknown, name: string): [number, number] => {
  const a = Array.isArray(v) ? v : [v, v];
  if (a.length !== 2 || !a.every((x) => Number.isInteger(x))) throw new Error(`CNN layer attribute ${name} is not a pair of integers`);
  return a as [number, number];
};

/** Output size of a window op along one axis (Keras 'valid' floors, 'same' rounds up). */
const outSize = (n: number, k: number, s: number, padding: string) => (padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);

/**
 * A tutorial CNN (a Keras Sequential saved by tfjs-layers: Conv2D, MaxPooling2D, BatchNormalization, Dropout, Flatten,
 * Dense) as ONNX nodes reading `input` ([N, 28, 28, 1] NHWC, grey in [0, 1], as cnn/input.ts prepares it) and
 * returning its softmax output [N, K]. Inference semantics: dropout is the identity, batch normalisation uses the
 * moving statistics. Convolutions run NCHW; Flatten goes back to NHWC first so the dense weights see Keras' order.
 */
export function kerasCnnGraph(c: ComposedGraph, cnn: CnnArtifact, input: string, scope: string): string {
  const json = JSON.parse(cnn.modelJson) as {
    meta: { inputShape: [number, number, number] };
    modelTopology: { class_name: string; config: { layers?: KerasLayer[] } | KerasLayer[] };
    weightSpecs: Array<{ name: string; shape: number[]; dtype?: string }>;
  };
  if (json.modelTopology.class_name !== 'Sequential') throw new Error(`CNN topology ${json.modelTopology.class_name} is not a Sequential model`);
  const layers = Array.isArray(json.modelTopology.config) ? json.modelTopology.config : (json.modelTopology.config.layers ?? []);
  const weights = readWeights(cnn, json.weightSpecs);
  const g = c.g;
  const w = (layer: string, name: string) => {
    const t = weights.get(`${layer}/${name}`);
    if (!t) throw new Error(`CNN weight ${layer}/${name} is missing`);
    return t;
  };
  const constant = (layer: string, name: string, data: Float32Array, dims: number[]) => c.named(`${scope}/${layer}/${name}`, dims, data);

  let [h, wd, ch] = json.meta.inputShape;
  let x = g.op('Transpose', [input], [ints('perm', [0, 3, 1, 2])]);
  let spatial = true;
  const activation = (t: string, act: unknown, layer: string) => {
    if (act === undefined || act === null || act === 'linear') return t;
    if (act === 'relu') return g.op('Relu', [t]);
    if (act === 'softmax') return g.op('Softmax', [t], [int('axis', -1)]);
    throw new Error(`CNN layer ${layer}: activation ${String(act)} is not exported`);
  };
  for (const { class_name: kind, config } of layers) {
    const name = String(config.name);
    switch (kind) {
      case 'Conv2D': {
        if (config.data_format && config.data_format !== 'channels_last') throw new Error(`CNN layer ${name}: data_format ${String(config.data_format)}`);
        const k = w(name, 'kernel');
        const [kh, kw, cin, cout] = k.shape;
        const [sh, sw] = pair(config.strides ?? 1, 'strides');
        const [dh, dw] = pair(config.dilation_rate ?? 1, 'dilation_rate');
        const padding = String(config.padding ?? 'valid');
        const inputs = [x, constant(name, 'kernel', hwioToOihw(k.data, k.shape), [cout!, cin!, kh!, kw!])];
        if (config.use_bias !== false) inputs.push(constant(name, 'bias', w(name, 'bias').data, [cout!]));
        x = g.op('Conv', inputs, [
          ints('kernel_shape', [kh!, kw!]),
          ints('strides', [sh, sw]),
          ints('dilations', [dh, dw]),
          str('auto_pad', padding === 'same' ? 'SAME_UPPER' : 'VALID'),
        ]);
        x = activation(x, config.activation, name);
        h = outSize(h, (kh! - 1) * dh + 1, sh, padding);
        wd = outSize(wd, (kw! - 1) * dw + 1, sw, padding);
        ch = cout!;
        break;
      }
      case 'MaxPooling2D': {
        const [ph, pw] = pair(config.pool_size ?? 2, 'pool_size');
        const [sh, sw] = pair(config.strides ?? [ph, pw], 'strides');
        const padding = String(config.padding ?? 'valid');
        x = g.op('MaxPool', [x], [ints('kernel_shape', [ph, pw]), ints('strides', [sh, sw]), str('auto_pad', padding === 'same' ? 'SAME_UPPER' : 'VALID')]);
        h = outSize(h, ph, sh, padding);
        wd = outSize(wd, pw, sw, padding);
        break;
      }
      case 'BatchNormalization': {
        const axis = config.axis ?? -1;
        if (axis !== -1 && axis !== 3 && !(axis === 1 && !spatial)) throw new Error(`CNN layer ${name}: batch normalisation over axis ${String(axis)}`);
        const mean = w(name, 'moving_mean');
        const n = mean.data.length;
        const gamma = config.scale === false ? new Float32Array(n).fill(1) : w(name, 'gamma').data;
        const beta = config.center === false ? new Float32Array(n) : w(name, 'beta').data;
        x = g.op(
          'BatchNormalization',
          [x, constant(name, 'gamma', gamma, [n]), constant(name, 'beta', beta, [n]), constant(name, 'moving_mean', mean.data, [n]), constant(name, 'moving_variance', w(name, 'moving_variance').data, [n])],
          [float('epsilon', Number(config.epsilon ?? 1e-3))],
        );
        break;
      }
      case 'Dropout':
        break; // the identity at inference
      case 'Flatten': {
        if (spatial) {
          x = g.op('Transpose', [x], [ints('perm', [0, 2, 3, 1])]);
          x = g.op('Reshape', [x, g.int64s([-1, h * wd * ch])]);
          spatial = false;
        }
        break;
      }
      case 'Dense': {
        if (spatial) throw new Error(`CNN layer ${name}: Dense on a feature map (no Flatten before it)`);
        const k = w(name, 'kernel');
        const [, units] = k.shape;
        const bias = config.use_bias === false ? new Float32Array(units!) : w(name, 'bias').data;
        x = g.op('Gemm', [x, constant(name, 'kernel', k.data, k.shape), constant(name, 'bias', bias, [units!])]);
        x = activation(x, config.activation, name);
        ch = units!;
        break;
      }
      default:
        throw new Error(`CNN layer ${name} of type ${kind} is not exported`);
    }
  }
  if (spatial) throw new Error('the CNN does not end in a dense layer');
  return x;
}
