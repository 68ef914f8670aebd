import type { TrainedHead } from './types';

/**
 * The head's first layer with its standardisation folded in (W' = W / std, b' = b - (mean / std) W), so prediction
 * is one matMul per layer on raw features. float32 arithmetic in this exact order: the service's HeadRunner and the
 * exported graphs share it, so they compute bit-identical weights.
 */
export function foldStandardizer(head: TrainedHead): { W1: Float32Array; b1: Float32Array; shape: [number, number] } {
  const { mean, std } = head.standardizer;
  const w = head.weights.W1;
  const rows = w.shape[0];
  const cols = w.shape[1];
  const W1 = new Float32Array(w.values.length);
  const b1 = Float32Array.from(head.weights.b1.values);
  for (let i = 0; i < rows; i++) {
    const inv = 1 / std[i];
    for (let j = 0; j < cols; j++) {
      const v = w.values[i * cols + j] * inv;
      W1[i * cols + j] = v;
      b1[j] -= mean[i] * v;
    }
  }
  return { W1, b1, shape: [rows, cols] };
}
