import type { Neighbours } from '../neighbours/cosine-neighbours';

/** A labelled image whose out-of-fold prediction disagrees with its label. */
export interface LabelErrorCandidate {
  /** Row of the image among the labelled images. */
  row: number;
  given: number;
  suggested: number;
  /** Probability of the suggested class. */
  confidence: number;
  /** Probability of the given class. */
  givenProbability: number;
}

export interface LabelErrorOptions {
  /**
   * The labelled images' nearest labelled neighbours (rows into the same labelled set, self excluded): their labels
   * are a second opinion that needs no model, averaged with the out-of-fold probabilities.
   */
  neighbours?: Neighbours;
  /** Weight of the neighbours' vote (0..1); default 0.5 when neighbours are given. */
  neighbourWeight?: number;
}

/**
 * Likely label errors, most likely first. Every image's class probabilities come from a model that never saw its label
 * (out-of-fold), so a confident disagreement is evidence against the label rather than memorisation. Ranked by how
 * little probability the given label keeps (self-confidence, as in confident learning), ties by the suggested class's.
 */
export function findLabelErrors(oof: Float32Array, labels: Int32Array, classes: number, opts: LabelErrorOptions = {}): LabelErrorCandidate[] {
  const n = labels.length;
  const w = opts.neighbours ? (opts.neighbourWeight ?? 0.5) : 0;
  const out: LabelErrorCandidate[] = [];
  const p = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < classes; c++) p[c] = (1 - w) * oof[i * classes + c];
    if (opts.neighbours && w > 0) {
      const { k, index } = opts.neighbours;
      for (let m = 0; m < k; m++) p[labels[index[i * k + m]]] += w / k;
    }
    let best = 0;
    for (let c = 1; c < classes; c++) if (p[c] > p[best]) best = c;
    if (best === labels[i]) continue;
    out.push({ row: i, given: labels[i], suggested: best, confidence: p[best], givenProbability: p[labels[i]] });
  }
  return out.sort((a, b) => a.givenProbability - b.givenProbability || b.confidence - a.confidence || a.row - b.row);
}
