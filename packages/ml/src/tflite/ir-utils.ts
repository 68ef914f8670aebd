import type { IrGraph, IrLayerInfo } from './ir';

/** Output names: a layer (`block_13`) or its global average pool (`pool_block_13`). */
export interface ResolvedOutput {
  name: string;
  pooled: boolean;
  layer: IrLayerInfo;
}

export function resolveOutputs(ir: IrGraph, names: string[]): ResolvedOutput[] {
  const byName = new Map(ir.layers.map((l) => [l.name, l]));
  return names.map((name) => {
    const pooled = name.startsWith('pool_');
    const layer = byName.get(pooled ? name.slice(5) : name);
    if (!layer) {
      throw new Error(`unknown layer "${name}"; available: ${ir.layers.map((l) => l.name).join(', ')} (or pool_<4-D layer>)`);
    }
    if (pooled && layer.shape.length !== 4) throw new Error(`"${name}": only 4-D layers can be pooled`);
    return { name, pooled, layer };
  });
}

/** Width of an output once flattened per image (channels for pooled/flat outputs). */
export function outputWidth(r: ResolvedOutput): number {
  return r.layer.shape[r.layer.shape.length - 1];
}

/** Tensors that must be computed to produce `wanted`, found by walking the graph backwards. */
export function neededTensors(ir: IrGraph, wanted: string[]): Set<string> {
  const producer = new Map(ir.ops.map((op) => [op.output, op]));
  const seen = new Set<string>();
  const stack = [...wanted];
  while (stack.length) {
    const t = stack.pop()!;
    const op = producer.get(t);
    if (!op || seen.has(t)) continue;
    seen.add(t);
    stack.push(...op.inputs);
  }
  return seen;
}
