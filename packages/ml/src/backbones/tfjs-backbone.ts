import { tf } from '../tf/backend';
import type { IrGraph, IrOp } from '../tflite/ir';
import { neededTensors, resolveOutputs, type ResolvedOutput } from '../tflite/ir-utils';
import type { Activation } from '../tflite/schema';

export interface TfjsBackboneOptions {
  /** Weights as tf.variable (fine-tuning) instead of constants. */
  trainable?: boolean;
}

/**
 * The IR as a TF.js function of tensors. Same outputs and names as the ONNX export (`block_13` NHWC map,
 * `pool_block_13` [N, C], flat layers [N, C]); weights live in `variables` for fine-tune paths.
 */
export interface TfjsBackbone {
  readonly variables: tf.Variable[];
  /** NHWC float input (normalised) -> requested outputs. Call inside tf.tidy or dispose the results. */
  apply(input: tf.Tensor4D, outputs: string[]): Record<string, tf.Tensor>;
  dispose(): void;
}

interface Weights {
  w: tf.Tensor;
  b: tf.Tensor1D;
}

const fusedAct = (a: Activation) => (a === 'NONE' ? 'linear' : a === 'RELU' ? 'relu' : 'relu6') as tf.fused.Activation;

/** Requires an initialised backend (`await initTf()`). */
export function buildTfjsBackbone(ir: IrGraph, options: TfjsBackboneOptions = {}): TfjsBackbone {
  const weights = new Map<string, Weights>();
  const variables: tf.Variable[] = [];
  const hold = <T extends tf.Tensor>(t: T, name: string): T => {
    if (!options.trainable) return tf.keep(t);
    const v = tf.variable(t, true, `${name}`);
    variables.push(v);
    t.dispose();
    return v as unknown as T;
  };
  tf.tidy(() => {
    for (const op of ir.ops) {
      if (op.type === 'conv') {
        // OHWI -> HWIO
        const w = tf.tensor4d(op.weights, op.weightShape).transpose([1, 2, 3, 0]);
        weights.set(op.output, { w: hold(w, `${op.output}_w`), b: hold(tf.tensor1d(op.bias), `${op.output}_b`) });
      } else if (op.type === 'depthwise') {
        // [1, H, W, C*M] -> [H, W, C, M]: TFLite's channel c*M+m is tfjs' (c, m), no transpose needed.
        const [, kh, kw, cm] = op.weightShape;
        const w = tf.tensor4d(op.weights, [kh, kw, cm / op.depthMultiplier, op.depthMultiplier]);
        weights.set(op.output, { w: hold(w, `${op.output}_w`), b: hold(tf.tensor1d(op.bias), `${op.output}_b`) });
      } else if (op.type === 'dense') {
        const w = tf.tensor2d(op.weights, op.weightShape).transpose();
        weights.set(op.output, { w: hold(w, `${op.output}_w`), b: hold(tf.tensor1d(op.bias), `${op.output}_b`) });
      }
    }
  });

  const activate = (x: tf.Tensor, a: Activation) => (a === 'NONE' ? x : a === 'RELU' ? tf.relu(x) : tf.relu6(x));

  const run = (op: IrOp, env: Map<string, tf.Tensor>): tf.Tensor => {
    const x = env.get(op.inputs[0])!;
    const wb = weights.get(op.output);
    switch (op.type) {
      case 'conv':
        return tf.fused.conv2d({
          x: x as tf.Tensor4D, filter: wb!.w as tf.Tensor4D, bias: wb!.b, strides: op.strides,
          pad: op.padding === 'SAME' ? 'same' : 'valid', dilations: op.dilations, activation: fusedAct(op.activation),
        });
      case 'depthwise':
        return tf.fused.depthwiseConv2d({
          x: x as tf.Tensor4D, filter: wb!.w as tf.Tensor4D, bias: wb!.b, strides: op.strides,
          pad: op.padding === 'SAME' ? 'same' : 'valid', dilations: op.dilations, activation: fusedAct(op.activation),
        });
      case 'add':
        return activate(tf.add(x, env.get(op.inputs[1])!), op.activation);
      case 'avgpool':
        return activate(
          op.global
            ? tf.mean(x, [1, 2], true)
            : tf.avgPool(x as tf.Tensor4D, op.filter, op.strides, op.padding === 'SAME' ? 'same' : 'valid'),
          op.activation,
        );
      case 'flatten':
        return tf.reshape(x, [x.shape[0], -1]);
      case 'softmax':
        return tf.softmax(op.beta === 1 ? x : tf.mul(x, op.beta));
      case 'dense':
        return tf.fused.matMul({ a: x as tf.Tensor2D, b: wb!.w as tf.Tensor2D, bias: wb!.b, activation: fusedAct(op.activation) });
    }
  };

  const plans = new Map<string, { resolved: ResolvedOutput[]; needed: Set<string> }>();
  const plan = (outputs: string[]) => {
    const key = outputs.join(',');
    let p = plans.get(key);
    if (!p) {
      const resolved = resolveOutputs(ir, outputs);
      p = { resolved, needed: neededTensors(ir, resolved.map((r) => r.layer.tensor)) };
      plans.set(key, p);
    }
    return p;
  };

  return {
    variables,
    apply(input, outputs) {
      const { resolved, needed } = plan(outputs);
      return tf.tidy(() => {
        const env = new Map<string, tf.Tensor>([[ir.input.name, input]]);
        for (const op of ir.ops) if (needed.has(op.output)) env.set(op.output, run(op, env));
        const out: Record<string, tf.Tensor> = {};
        for (const r of resolved) {
          const t = env.get(r.layer.tensor)!;
          out[r.name] = r.pooled ? tf.mean(t, [1, 2]) : t;
        }
        return out;
      });
    },
    dispose() {
      for (const { w, b } of weights.values()) {
        w.dispose();
        b.dispose();
      }
      weights.clear();
    },
  };
}
