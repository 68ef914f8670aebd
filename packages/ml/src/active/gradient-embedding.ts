import type { FeatureMatrix } from '../heads/matrix';

/**
 * The loss gradient a linear softmax head would get if an image were labelled as its own prediction ŷ (BADGE: Ash et
 * al., 2020): g = (p - onehot(ŷ)) ⊗ h for features h and probabilities p. Its length grows with the head's
 * uncertainty (a sure prediction has p ≈ onehot(ŷ)); its direction says what the image would teach. Kept factored as
 * (a = p - onehot(ŷ), h): <g_i, g_j> = <a_i, a_j> <h_i, h_j>, so the C x d products are never materialised.
 */
export interface GradientEmbedding {
  /** [n x classes] p - onehot(argmax p). */
  a: Float32Array;
  /** [n x d] the features. */
  h: FeatureMatrix;
  classes: number;
}

export function gradientEmbedding(probs: Float32Array, features: FeatureMatrix, classes: number): GradientEmbedding {
  const n = features.rows;
  const a = Float32Array.from(probs);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
    a[i * classes + best] -= 1;
  }
  return { a, h: features, classes };
}

/** <g_i, g_j> for every i against one j. */
export function innerWith(g: GradientEmbedding, j: number, out: Float64Array): void {
  const { a, h, classes } = g;
  const d = h.dim;
  const hj = h.data.subarray(j * d, (j + 1) * d);
  const aj = a.subarray(j * classes, (j + 1) * classes);
  for (let i = 0; i < h.rows; i++) {
    let ah = 0;
    for (let c = 0; c < classes; c++) ah += a[i * classes + c] * aj[c];
    if (ah === 0) {
      out[i] = 0;
      continue;
    }
    let hh = 0;
    const o = i * d;
    for (let k = 0; k < d; k++) hh += h.data[o + k] * hj[k];
    out[i] = ah * hh;
  }
}

/** ||g_i||² for every i. */
export function squaredNorms(g: GradientEmbedding): Float64Array {
  const { a, h, classes } = g;
  const out = new Float64Array(h.rows);
  for (let i = 0; i < h.rows; i++) {
    let aa = 0;
    for (let c = 0; c < classes; c++) aa += a[i * classes + c] ** 2;
    let hh = 0;
    for (let k = 0; k < h.dim; k++) hh += h.data[i * h.dim + k] ** 2;
    out[i] = aa * hh;
  }
  return out;
}
