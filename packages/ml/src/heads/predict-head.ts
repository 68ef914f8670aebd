import { tf } from '../tf/backend';
import { foldStandardizer } from './fold-standardizer';
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
    const { W1, b1, shape } = foldStandardizer(head);
    this.W1 = tf.tensor2d(W1, shape);
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
