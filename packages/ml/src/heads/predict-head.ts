import { tf } from '../tf/backend';
import type { FeatureMatrix } from './matrix';
import type { TrainedHead } from './types';

/**
 * Holds a head's weights as tensors for repeated prediction. Standardisation is folded into the first layer
 * (W' = W / std, b' = b - (mean / std) W), so prediction is one matMul per layer on raw features.
 * Call `initTf()` before creating one.
 */
export class HeadRunner {
  private readonly W1: tf.Tensor2D;
  private readonly b1: tf.Tensor1D;
  private readonly W2?: tf.Tensor2D;
  private readonly b2?: tf.Tensor1D;

  constructor(readonly head: TrainedHead) {
    const { mean, std } = head.standardizer;
    const w = head.weights.W1;
    const cols = w.shape[1];
    const W1 = new Float32Array(w.values.length);
    const b1 = Float32Array.from(head.weights.b1.values);
    for (let i = 0; i < w.shape[0]; i++) {
      const inv = 1 / std[i];
      for (let j = 0; j < cols; j++) {
        const v = w.values[i * cols + j] * inv;
        W1[i * cols + j] = v;
        b1[j] -= mean[i] * v;
      }
    }
    this.W1 = tf.tensor2d(W1, [w.shape[0], cols]);
    this.b1 = tf.tensor1d(b1);
    if (head.weights.W2) {
      this.W2 = tf.tensor2d(head.weights.W2.values, head.weights.W2.shape as [number, number]);
      this.b2 = tf.tensor1d(head.weights.b2.values);
    }
  }

  /** Class probabilities, row-major (rows x classes). */
  predictProba(x: FeatureMatrix): Float32Array {
    if (x.dim !== this.head.inputDim) throw new Error(`head expects ${this.head.inputDim} features, got ${x.dim}`);
    if (x.rows === 0) return new Float32Array(0);
    const probs = tf.tidy(() => {
      let z = tf.tensor2d(x.data, [x.rows, x.dim]).matMul(this.W1).add(this.b1);
      if (this.W2) z = tf.relu(z).matMul(this.W2).add(this.b2!);
      return tf.softmax(z);
    });
    const out = probs.dataSync() as Float32Array;
    probs.dispose();
    return Float32Array.from(out);
  }

  dispose(): void {
    tf.dispose([this.W1, this.b1, ...(this.W2 ? [this.W2, this.b2!] : [])]);
  }
}

/** One-shot prediction (creates and disposes the weight tensors). */
export function predictHead(head: TrainedHead, x: FeatureMatrix): Float32Array {
  const r = new HeadRunner(head);
  try {
    return r.predictProba(x);
  } finally {
    r.dispose();
  }
}
