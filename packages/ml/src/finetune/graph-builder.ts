import { encodeModel, OnnxAttrType, OnnxDataType, type OnnxAttribute, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from '../onnx/onnx-proto';

/** A small ONNX graph writer for the fine-tuning graphs (opset 13): nodes, constants, free-shaped inputs/outputs. */
export class OnnxGraph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly inputs: OnnxValueInfo[] = [];
  readonly outputs: OnnxValueInfo[] = [];
  private count = 0;
  private constants = new Map<string, string>();

  tmp(hint: string): string {
    return `${hint}__${this.count++}`;
  }

  /** Adds a node and returns its (first) output name. */
  op(opType: string, input: string[], attrs: OnnxAttribute[] = [], output?: string): string {
    const out = output ?? this.tmp(opType.toLowerCase());
    this.nodes.push({ name: `${opType}_${this.nodes.length}`, opType, input, output: [out], attribute: attrs });
    return out;
  }

  floats(dims: number[], data: Float32Array | number[]): string {
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    const key = `f:${dims.join('x')}:${arr.length <= 16 ? Array.from(arr).join(',') : this.count}`;
    const hit = this.constants.get(key);
    if (hit) return hit;
    const name = this.tmp('const');
    this.initializers.push({ name, dims, dataType: OnnxDataType.FLOAT, rawData: new Uint8Array(arr.buffer.slice(arr.byteOffset, arr.byteOffset + arr.byteLength)) });
    this.constants.set(key, name);
    return name;
  }

  scalar(v: number): string {
    return this.floats([], [v]);
  }

  int64s(values: number[]): string {
    const key = `i:${values.join(',')}`;
    const hit = this.constants.get(key);
    if (hit) return hit;
    const name = this.tmp('ints');
    const data = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [values.length], dataType: OnnxDataType.INT64, rawData: new Uint8Array(data.buffer) });
    this.constants.set(key, name);
    return name;
  }

  input(name: string, dims: (number | string)[]): string {
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  output(name: string, dims: (number | string)[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  encode(graphName: string): Uint8Array {
    return encodeModel({
      irVersion: 8,
      producerName: 'tailor',
      producerVersion: '0.1.0',
      opsetImport: [{ domain: '', version: 13 }],
      graph: { name: graphName, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
  }
}

export const int = (name: string, i: number): OnnxAttribute => ({ name, type: OnnxAttrType.INT, i });
export const ints = (name: string, v: number[]): OnnxAttribute => ({ name, type: OnnxAttrType.INTS, ints: v });

function valueInfo(name: string, dims: (number | string)[]): OnnxValueInfo {
  return {
    name,
    type: { tensorType: { elemType: OnnxDataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}
