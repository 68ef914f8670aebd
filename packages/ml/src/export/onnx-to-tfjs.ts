import { ModelProto, OnnxDataType } from '../onnx/onnx-proto';

/**
 * The exported ONNX classifier graph as a TensorFlow.js graph model (`model.json` + `weights.bin`, the format
 * `tf.loadGraphModel` reads in browsers and Node). One graph, two writers would drift; one graph, translated op by op,
 * cannot: the TF.js model is the ONNX model.
 *
 * Only the ops the exporter writes are translated (backbones, heads, CNNs, views, averaging, OOD). Layouts: the ONNX
 * graph runs feature maps NCHW (a Transpose after each input), TF.js runs them NHWC. A 4-D tensor is tracked as
 * "logically NCHW, physically NHWC": those input Transposes become no-ops, channel axes map to the last axis, and
 * convolution weights are rewritten HWIO (depthwise: H, W, C, multiplier).
 */
export interface TfjsGraphModel {
  /** The model.json object (format 'graph-model'), with the weights manifest pointing at `weights.bin`. */
  modelJson: Record<string, unknown>;
  weights: Buffer;
}

interface OnnxNodeObj {
  opType: string;
  input: string[];
  output: string[];
  attribute: Array<{ name: string; i?: number; f?: number; ints?: number[]; s?: Uint8Array }>;
}
interface OnnxInit {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}
interface OnnxValue {
  name: string;
  type: { tensorType: { shape: { dim: Array<{ dimValue?: number; dimParam?: string }> } } };
}

/** How a tensor is held in the TF.js graph. */
interface Held {
  node: string;
  /** 'nchw': a feature map ONNX sees as NCHW, stored NHWC. 'plain': same layout in both. */
  layout: 'plain' | 'nchw';
  /** A feature map whose spatial size is 1x1 (after a global pool), which can be flattened without reordering. */
  unitSpatial?: boolean;
}

type TfAttr = Record<string, unknown>;
const T = { type: 'DT_FLOAT' };
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const list = (v: number[]) => ({ list: { i: v.map(String) } });
/** Logical NCHW axis -> physical NHWC axis. */
const NCHW_TO_NHWC = [0, 3, 1, 2];

export function onnxToTfjs(onnx: Uint8Array): TfjsGraphModel {
  const model = ModelProto.toObject(ModelProto.decode(onnx), { longs: Number, arrays: true }) as {
    graph: { node: OnnxNodeObj[]; initializer: OnnxInit[]; input: OnnxValue[]; output: OnnxValue[] };
  };
  const { graph } = model;
  const inits = new Map(graph.initializer.map((i) => [i.name, i]));
  const held = new Map<string, Held>();
  const nodes: Array<{ name: string; op: string; input: string[]; attr: TfAttr }> = [];
  const specs: Array<{ name: string; shape: number[]; dtype: 'float32' | 'int32' }> = [];
  const chunks: Buffer[] = [];
  const used = new Set<string>();
  let counter = 0;

  /** TF node names allow [A-Za-z0-9_./-]; ONNX names here are close, but keep them unique after cleaning. */
  const nodeName = (hint: string) => {
    let n = hint.replace(/[^A-Za-z0-9_./-]/g, '_').replace(/^[^A-Za-z0-9.]/, 'n');
    while (used.has(n)) n = `${n}_${counter++}`;
    used.add(n);
    return n;
  };
  const emit = (op: string, input: string[], attr: TfAttr = {}, hint = op) => {
    const name = nodeName(hint);
    nodes.push({ name, op, input, attr });
    return name;
  };
  const constant = (hint: string, shape: number[], data: Float32Array | Int32Array) => {
    const dtype = data instanceof Float32Array ? 'float32' : 'int32';
    const name = emit('Const', [], { dtype: { type: dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32' }, value: { tensor: { dtype: dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32', tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } } }, hint);
    specs.push({ name, shape, dtype });
    chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return name;
  };
  const ints32 = (values: number[]) => constant('const/int', [values.length], Int32Array.from(values));
  const scalarInt = (v: number) => constant('const/int', [], Int32Array.of(v));

  const floatsOf = (init: OnnxInit) => {
    if (init.dataType !== OnnxDataType.FLOAT) throw new Error(`initializer ${init.name} is not float`);
    const raw = Buffer.from(init.rawData);
    const out = new Float32Array(raw.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = raw.readFloatLE(i * 4);
    return out;
  };
  const int64sOf = (name: string) => {
    const init = inits.get(name);
    if (!init || init.dataType !== OnnxDataType.INT64) throw new Error(`expected a constant int64 tensor for ${name}`);
    const raw = Buffer.from(init.rawData);
    return Array.from({ length: raw.length / 8 }, (_, i) => Number(raw.readBigInt64LE(i * 8)));
  };
  /** A float initializer as a Const (cached: backbone weights are shared by several passes). */
  const floatConsts = new Map<string, string>();
  const floatConst = (name: string, transform?: { key: string; fn: (x: Float32Array, dims: number[]) => { data: Float32Array; shape: number[] } }) => {
    const key = `${name}|${transform?.key ?? ''}`;
    let n = floatConsts.get(key);
    if (!n) {
      const init = inits.get(name)!;
      const data = floatsOf(init);
      const t = transform ? transform.fn(data, init.dims) : { data, shape: init.dims };
      n = constant(name + (transform ? `/${transform.key}` : ''), t.shape, t.data);
      floatConsts.set(key, n);
    }
    return n;
  };
  const get = (name: string): Held => {
    const h = held.get(name);
    if (h) return h;
    if (inits.has(name)) {
      const c = { node: floatConst(name), layout: 'plain' as const };
      held.set(name, c);
      return c;
    }
    throw new Error(`ONNX tensor ${name} is used before it is computed`);
  };
  const attr = (n: OnnxNodeObj, name: string) => n.attribute.find((a) => a.name === name);
  const attrInt = (n: OnnxNodeObj, name: string, def: number) => attr(n, name)?.i ?? def;
  const attrInts = (n: OnnxNodeObj, name: string) => attr(n, name)?.ints;
  const padding = (n: OnnxNodeObj) => {
    const auto = attr(n, 'auto_pad')?.s ? Buffer.from(attr(n, 'auto_pad')!.s!).toString('utf8') : 'NOTSET';
    if (auto === 'SAME_UPPER') return 'SAME';
    if (auto === 'VALID' || (auto === 'NOTSET' && (attrInts(n, 'pads') ?? []).every((p) => p === 0))) return 'VALID';
    throw new Error(`padding ${auto} ${JSON.stringify(attrInts(n, 'pads'))} has no TF.js equivalent here`);
  };
  /** An elementwise op's layout: operands must agree, except constants and 1-D/scalar broadcasts on plain tensors. */
  const elementwise = (a: Held, b: Held, op: string): Held['layout'] => {
    if (a.layout === b.layout) return a.layout;
    throw new Error(`${op} mixes an NCHW feature map with a plain tensor`);
  };

  for (const input of graph.input) {
    const dims = input.type.tensorType.shape.dim.map((d) => (d.dimValue ? String(d.dimValue) : '-1'));
    const node = emit('Placeholder', [], { dtype: T, shape: { shape: { dim: dims.map((size) => ({ size })) } } }, input.name);
    if (node !== input.name) throw new Error(`input name ${input.name} is not a valid TF.js node name`);
    held.set(input.name, { node, layout: 'plain' });
  }

  for (const n of graph.node) {
    const out = n.output[0]!;
    const set = (h: Held) => held.set(out, h);
    const x = () => get(n.input[0]!);
    switch (n.opType) {
      case 'Transpose': {
        const perm = attrInts(n, 'perm') ?? [];
        const src = x();
        if (perm.join() === '0,3,1,2' && src.layout === 'plain') set({ ...src, layout: 'nchw' });
        else if (perm.join() === '0,2,3,1' && src.layout === 'nchw') set({ node: src.node, layout: 'plain' });
        else throw new Error(`Transpose ${perm.join(',')} of a ${src.layout} tensor is not translated`);
        break;
      }
      case 'Conv': {
        const src = x();
        if (src.layout !== 'nchw') throw new Error('Conv expects an NCHW feature map');
        const w = inits.get(n.input[1]!)!;
        const [o, i, kh, kw] = w.dims as [number, number, number, number];
        const group = attrInt(n, 'group', 1);
        const strides = attrInts(n, 'strides') ?? [1, 1];
        const dilations = attrInts(n, 'dilations') ?? [1, 1];
        const common = { T, strides: list([1, strides[0]!, strides[1]!, 1]), dilations: list([1, dilations[0]!, dilations[1]!, 1]), padding: { s: b64(padding(n)) }, data_format: { s: b64('NHWC') } };
        let y: string;
        if (group === 1) {
          const filter = floatConst(n.input[1]!, { key: 'hwio', fn: (d) => ({ data: oihwToHwio(d, [o, i, kh, kw]), shape: [kh, kw, i, o] }) });
          y = emit('Conv2D', [src.node, filter], common, out);
        } else if (i === 1 && group > 1 && o % group === 0) {
          // ONNX output channel c*M+m reads input channel c; TF.js' depthwise filter [H, W, C, M] holds it at (c, m).
          const m = o / group;
          const filter = floatConst(n.input[1]!, { key: 'dw', fn: (d) => ({ data: oihwToHwio(d, [o, 1, kh, kw]), shape: [kh, kw, group, m] }) });
          y = emit('DepthwiseConv2dNative', [src.node, filter], common, out);
        } else throw new Error(`grouped convolution (group ${group}) is not translated`);
        if (n.input[2]) y = emit('BiasAdd', [y, get(n.input[2]).node], { T, data_format: { s: b64('NHWC') } }, `${out}/bias`);
        set({ node: y, layout: 'nchw' });
        break;
      }
      case 'Clip': {
        const lo = n.input[1] ? floatsOf(inits.get(n.input[1])!)[0] : -Infinity;
        const hi = n.input[2] ? floatsOf(inits.get(n.input[2])!)[0] : Infinity;
        const src = x();
        if (lo === 0 && hi === 6) set({ ...src, node: emit('Relu6', [src.node], { T }, out) });
        else set({ ...src, node: emit('ClipByValue', [src.node, get(n.input[1]!).node, get(n.input[2]!).node], { T }, out) });
        break;
      }
      case 'Relu':
      case 'Log':
      case 'Sqrt':
        set({ ...x(), node: emit(n.opType, [x().node], { T }, out) });
        break;
      case 'TopK': {
        const src = x();
        const [k] = int64sOf(n.input[1]!);
        if (src.layout !== 'plain' || attrInt(n, 'largest', 1) !== 1 || ![-1, 1].includes(attrInt(n, 'axis', -1))) throw new Error('TopK is only translated for the largest values along the last axis of a 2-D tensor');
        set({ node: emit('TopKV2', [src.node, scalarInt(k!)], { T, sorted: { b: true } }, out), layout: 'plain' });
        break;
      }
      case 'Gather': {
        const src = x();
        if (src.layout !== 'plain') throw new Error('Gather of an NCHW map is not translated');
        set({ node: emit('GatherV2', [src.node, ints32(int64sOf(n.input[1]!)), scalarInt(attrInt(n, 'axis', 0))], { T, Tindices: { type: 'DT_INT32' } }, out), layout: 'plain' });
        break;
      }
      case 'Squeeze': {
        const src = x();
        if (src.layout !== 'plain') throw new Error('Squeeze of an NCHW map is not translated');
        set({ node: emit('Squeeze', [src.node], { T, axis: list(int64sOf(n.input[1]!)) }, out), layout: 'plain' });
        break;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
      case 'Max': {
        const a = get(n.input[0]!);
        const b = get(n.input[1]!);
        const op = { Add: 'AddV2', Sub: 'Sub', Mul: 'Mul', Div: 'RealDiv', Max: 'Maximum' }[n.opType]!;
        if (n.input.length !== 2) throw new Error(`${n.opType} with ${n.input.length} inputs is not translated`);
        set({ node: emit(op, [a.node, b.node], { T }, out), layout: elementwise(a, b, n.opType), unitSpatial: a.unitSpatial && b.unitSpatial });
        break;
      }
      case 'GlobalAveragePool': {
        const src = x();
        if (src.layout !== 'nchw') throw new Error('GlobalAveragePool expects an NCHW feature map');
        set({ node: emit('Mean', [src.node, ints32([1, 2])], { T, keep_dims: { b: true } }, out), layout: 'nchw', unitSpatial: true });
        break;
      }
      case 'AveragePool':
      case 'MaxPool': {
        const src = x();
        if (src.layout !== 'nchw') throw new Error(`${n.opType} expects an NCHW feature map`);
        const k = attrInts(n, 'kernel_shape')!;
        const s = attrInts(n, 'strides') ?? [1, 1];
        const op = n.opType === 'MaxPool' ? 'MaxPool' : 'AvgPool';
        set({ node: emit(op, [src.node], { T, ksize: list([1, k[0]!, k[1]!, 1]), strides: list([1, s[0]!, s[1]!, 1]), padding: { s: b64(padding(n)) }, data_format: { s: b64('NHWC') } }, out), layout: 'nchw' });
        break;
      }
      case 'Flatten': {
        const src = x();
        if (attrInt(n, 'axis', 1) !== 1) throw new Error('Flatten is only translated at axis 1');
        // Only after a global pool: [N, C, 1, 1] flattens to [N, C] in either layout. Anything else is written as a
        // Transpose to NHWC and a Reshape by the exporter (keras-cnn-graph.ts), which translate exactly.
        if (src.layout !== 'nchw' || !src.unitSpatial) throw new Error('Flatten is only translated after a global pool');
        set({ node: emit('Squeeze', [src.node], { T, axis: list([1, 2]) }, out), layout: 'plain' });
        break;
      }
      case 'Reshape': {
        const src = x();
        if (src.layout !== 'plain') throw new Error('Reshape of an NCHW feature map is not translated');
        set({ node: emit('Reshape', [src.node, ints32(int64sOf(n.input[1]!))], { T }, out), layout: 'plain' });
        break;
      }
      case 'Softmax': {
        const src = x();
        const axis = attrInt(n, 'axis', -1);
        if (src.layout !== 'plain' || (axis !== -1 && axis !== 1)) throw new Error('Softmax is only translated over the last axis of a 2-D tensor');
        set({ node: emit('Softmax', [src.node], { T }, out), layout: 'plain' });
        break;
      }
      case 'Gemm': {
        if (attr(n, 'alpha') || attr(n, 'beta') || attrInt(n, 'transA', 0)) throw new Error('Gemm with alpha, beta or transA is not translated');
        const a = x();
        const b = get(n.input[1]!);
        let y = emit('MatMul', [a.node, b.node], { T, transpose_a: { b: false }, transpose_b: { b: attrInt(n, 'transB', 0) === 1 } }, `${out}/matmul`);
        if (n.input[2]) y = emit('AddV2', [y, get(n.input[2]).node], { T }, out);
        set({ node: y, layout: 'plain' });
        break;
      }
      case 'Concat': {
        const parts = n.input.map(get);
        const axis = attrInt(n, 'axis', 1);
        const layout = parts[0]!.layout;
        if (parts.some((p) => p.layout !== layout)) throw new Error('Concat of mixed layouts');
        const tfAxis = layout === 'nchw' ? NCHW_TO_NHWC[axis]! : axis;
        set({ node: emit('ConcatV2', [...parts.map((p) => p.node), scalarInt(tfAxis)], { T, N: { i: String(parts.length) } }, out), layout });
        break;
      }
      case 'Slice': {
        // Only the horizontal flip: starts [-1], ends [INT64_MIN], steps [-1] along one axis.
        const src = x();
        const [start] = int64sOf(n.input[1]!);
        const [axis] = int64sOf(n.input[3]!);
        const [step] = int64sOf(n.input[4]!);
        if (start !== -1 || step !== -1 || int64sOf(n.input[2]!)[0]! > -(2 ** 62)) throw new Error('only a full reversal Slice is translated');
        const tfAxis = src.layout === 'nchw' ? NCHW_TO_NHWC[axis!]! : axis!;
        set({ node: emit('ReverseV2', [src.node, ints32([tfAxis])], { T }, out), layout: src.layout });
        break;
      }
      case 'Unsqueeze': {
        const src = x();
        const axes = int64sOf(n.input[1]!);
        if (src.layout !== 'plain' || axes.length !== 1) throw new Error('Unsqueeze is only translated for one axis of a plain tensor');
        set({ node: emit('ExpandDims', [src.node, scalarInt(axes[0]!)], { T }, out), layout: 'plain' });
        break;
      }
      case 'ReduceSum':
      case 'ReduceMin':
      case 'ReduceMax': {
        const src = x();
        if (src.layout !== 'plain') throw new Error(`${n.opType} of an NCHW map is not translated`);
        const axes = n.opType === 'ReduceSum' ? int64sOf(n.input[1]!) : attrInts(n, 'axes')!;
        const op = { ReduceSum: 'Sum', ReduceMin: 'Min', ReduceMax: 'Max' }[n.opType]!;
        set({ node: emit(op, [src.node, ints32(axes)], { T, keep_dims: { b: attrInt(n, 'keepdims', 1) === 1 } }, out), layout: 'plain' });
        break;
      }
      case 'BatchNormalization': {
        const src = x();
        const [scale, bias, mean, variance] = n.input.slice(1).map((t) => get(t).node);
        const epsilon = attr(n, 'epsilon')?.f ?? 1e-5;
        // Channels are the last physical axis either way (NCHW maps are held NHWC; 2-D tensors are [N, C]).
        set({ ...src, node: emit('FusedBatchNormV3', [src.node, scale!, bias!, mean!, variance!], { T, epsilon: { f: epsilon }, data_format: { s: b64('NHWC') }, is_training: { b: false } }, out) });
        break;
      }
      case 'Identity':
        set({ ...x(), node: emit('Identity', [x().node], { T }, out) });
        break;
      default:
        throw new Error(`ONNX op ${n.opType} is not translated to TF.js`);
    }
  }

  const signatureEntry = (v: OnnxValue, node: string) => ({
    name: `${node}:0`,
    dtype: 'DT_FLOAT',
    tensorShape: { dim: v.type.tensorType.shape.dim.map((d) => ({ size: d.dimValue ? String(d.dimValue) : '-1' })) },
  });
  const outputs = graph.output.map((o) => {
    const h = get(o.name);
    if (h.layout !== 'plain') throw new Error(`output ${o.name} is a feature map`);
    if (h.node !== o.name) throw new Error(`output ${o.name} is not a node of that name`);
    return o;
  });
  return {
    modelJson: {
      format: 'graph-model',
      generatedBy: 'tailor (from its ONNX export)',
      convertedBy: 'tailor onnx-to-tfjs',
      modelTopology: { node: nodes, library: {}, versions: {} },
      weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
      signature: {
        inputs: Object.fromEntries(graph.input.map((i) => [i.name, signatureEntry(i, i.name)])),
        outputs: Object.fromEntries(outputs.map((o) => [o.name, signatureEntry(o, o.name)])),
      },
    },
    weights: Buffer.concat(chunks),
  };
}

/** OIHW -> HWIO (TF's conv filter; also the depthwise [H, W, C, M] layout when I = 1 and O = C * M). */
function oihwToHwio(w: Float32Array, [o, i, h, wd]: number[]): Float32Array {
  const out = new Float32Array(w.length);
  for (let a = 0; a < o!; a++)
    for (let c = 0; c < i!; c++)
      for (let y = 0; y < h!; y++)
        for (let x = 0; x < wd!; x++) out[((y * wd! + x) * i! + c) * o! + a] = w[((a * i! + c) * h! + y) * wd! + x]!;
  return out;
}
