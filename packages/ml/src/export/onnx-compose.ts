import { OnnxGraph } from '../finetune/graph-builder';
import { irToOnnx, ONNX_INPUT_NAME } from '../onnx/export-onnx';
import { ModelProto, type OnnxNode, type OnnxTensor } from '../onnx/onnx-proto';
import type { IrGraph } from '../tflite/ir';

/**
 * One ONNX graph assembled from parts: nodes written here, and whole models written by the runtime's own IR→ONNX
 * writer (`irToOnnx`) spliced in with their tensors renamed. Splicing, rather than a second backbone writer, keeps
 * the exported backbone op for op the graph the service runs.
 *
 * Weights are shared across splices: the same backbone spliced once per input size and test-time view carries its
 * weights once. Two initializers are one when they have the same name within a scope (a backbone) and the same bytes;
 * same name with other bytes (two fine-tuned tops of one backbone) stay apart.
 */
export class ComposedGraph {
  readonly g = new OnnxGraph();
  private readonly weights = new Map<string, OnnxTensor>();
  private splices = 0;

  /**
   * Adds an encoded ONNX model: its inputs are wired to `inputs` (model input name → tensor here); returns its outputs
   * (model output name → tensor here).
   */
  splice(model: Uint8Array, opts: { scope: string; inputs: Record<string, string> }): Record<string, string> {
    const decoded = ModelProto.toObject(ModelProto.decode(model), { longs: Number, arrays: true }) as {
      graph: { node: OnnxNode[]; initializer?: OnnxTensor[]; input: Array<{ name: string }>; output: Array<{ name: string }> };
    };
    const prefix = `s${this.splices++}/`;
    const names = new Map<string, string>();
    for (const input of decoded.graph.input) {
      const to = opts.inputs[input.name];
      if (!to) throw new Error(`spliced model input ${input.name} is not connected`);
      names.set(input.name, to);
    }
    for (const init of decoded.graph.initializer ?? []) names.set(init.name, this.weight(init, opts.scope, prefix));
    const rename = (t: string) => {
      if (!t) return t; // an omitted optional input
      let n = names.get(t);
      if (!n) names.set(t, (n = prefix + t));
      return n;
    };
    for (const node of decoded.graph.node) {
      this.g.nodes.push({ ...node, name: prefix + node.name, input: node.input.map(rename), output: node.output.map(rename), attribute: node.attribute ?? [] });
    }
    return Object.fromEntries(decoded.graph.output.map((o) => [o.name, rename(o.name)]));
  }

  /** A backbone (or a fine-tuned multi-top backbone) from the IR, fed `input` (NHWC), exposing `outputs`. */
  spliceIr(ir: IrGraph, outputs: string[], input: string, scope: string): Record<string, string> {
    return this.splice(irToOnnx(ir, { outputs }), { scope, inputs: { [ONNX_INPUT_NAME]: input } });
  }

  /** A float constant under a stable name (shared when the same name and bytes come again). */
  named(name: string, dims: number[], data: Float32Array): string {
    const rawData = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    return this.weight({ name, dims, dataType: 1, rawData }, 'named', '');
  }

  private weight(init: OnnxTensor, scope: string, prefix: string): string {
    const key = `${scope}/${init.name}`;
    const seen = this.weights.get(key);
    if (seen && sameTensor(seen, init)) return seen.name;
    const name = seen ? `${prefix}${init.name}` : key;
    const copy = { ...init, name };
    this.g.initializers.push(copy);
    if (!seen) this.weights.set(key, copy);
    return name;
  }
}

function sameTensor(a: OnnxTensor, b: OnnxTensor): boolean {
  return (
    a.dataType === b.dataType &&
    a.dims.length === b.dims.length &&
    a.dims.every((d, i) => Number(d) === Number(b.dims[i])) &&
    Buffer.from(a.rawData).equals(Buffer.from(b.rawData))
  );
}
