export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Number of true examples of the class. */
  support: number;
}

export interface ConfusionCell {
  actual: string;
  predicted: string;
  count: number;
  /** Ids of the images in this cell (only for off-diagonal cells: the mistakes worth looking at). */
  imageIds: string[];
}

export interface ReliabilityBin {
  /** Confidence interval [lower, upper) (the last bin includes 1). */
  lower: number;
  upper: number;
  count: number;
  meanConfidence: number;
  accuracy: number;
}

export interface ClassificationMetrics {
  count: number;
  accuracy: number;
  macroF1: number;
  perClass: ClassMetrics[];
  /** matrix[actual][predicted] counts, in the order of `classes`. */
  confusionMatrix: number[][];
  /** Every non-empty off-diagonal cell with the ids of its images. */
  misclassified: ConfusionCell[];
  calibration: { ece: number; bins: ReliabilityBin[] };
}

export interface PredictionsToScore {
  classes: string[];
  /** True class index per image. */
  labels: ArrayLike<number>;
  /** Probabilities, row-major (images x classes). */
  probabilities: Float32Array;
  ids: string[];
  calibrationBins?: number;
}

export function argMaxRow(p: Float32Array, row: number, c: number): number {
  let best = 0;
  for (let k = 1; k < c; k++) if (p[row * c + k] > p[row * c + best]) best = k;
  return best;
}

/** Accuracy, per-class precision/recall/F1, macro-F1, confusion matrix with image ids, ECE and reliability bins. */
export function scorePredictions(input: PredictionsToScore): ClassificationMetrics {
  const { classes, labels, probabilities, ids } = input;
  const c = classes.length;
  const n = labels.length;
  if (probabilities.length !== n * c) throw new Error(`expected ${n * c} probabilities, got ${probabilities.length}`);
  if (ids.length !== n) throw new Error(`expected ${n} ids, got ${ids.length}`);
  const matrix = classes.map(() => new Array<number>(c).fill(0));
  const cellIds = new Map<string, string[]>();
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const pred = argMaxRow(probabilities, i, c);
    const actual = labels[i];
    matrix[actual][pred]++;
    const hit = pred === actual ? 1 : 0;
    hits += hit;
    if (!hit) {
      const key = `${actual}:${pred}`;
      const list = cellIds.get(key) ?? [];
      list.push(ids[i]);
      cellIds.set(key, list);
    }
  }
  const perClass: ClassMetrics[] = classes.map((label, k) => {
    const tp = matrix[k][k];
    const support = matrix[k].reduce((s, v) => s + v, 0);
    const predicted = matrix.reduce((s, r) => s + r[k], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  // Macro-F1 over the classes present in the data: a class with no examples has no recall to average.
  const present = perClass.filter((m) => m.support > 0);
  const macroF1 = present.length ? present.reduce((s, m) => s + m.f1, 0) / present.length : 0;
  const misclassified: ConfusionCell[] = [...cellIds.entries()]
    .map(([key, imageIds]) => {
      const [a, p] = key.split(':').map(Number);
      return { actual: classes[a], predicted: classes[p], count: imageIds.length, imageIds };
    })
    .sort((x, y) => y.count - x.count || x.actual.localeCompare(y.actual) || x.predicted.localeCompare(y.predicted));
  return { count: n, accuracy: n ? hits / n : 0, macroF1, perClass, confusionMatrix: matrix, misclassified, calibration: calibrationOf(probabilities, labels, c, input.calibrationBins) };
}

/**
 * Reliability of the top-class probability: `bins` equal-width confidence bins, each with its images' mean confidence
 * and accuracy, and the expected calibration error (the count-weighted mean gap between the two).
 */
export function calibrationOf(probabilities: Float32Array, labels: ArrayLike<number>, c: number, bins = 10): { ece: number; bins: ReliabilityBin[] } {
  const n = labels.length;
  const binCount = new Array<number>(bins).fill(0);
  const binConf = new Array<number>(bins).fill(0);
  const binHit = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const pred = argMaxRow(probabilities, i, c);
    const conf = probabilities[i * c + pred];
    const b = Math.min(bins - 1, Math.floor(conf * bins));
    binCount[b]++;
    binConf[b] += conf;
    binHit[b] += pred === labels[i] ? 1 : 0;
  }
  const out: ReliabilityBin[] = binCount.map((count, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count,
    meanConfidence: count ? binConf[b] / count : 0,
    accuracy: count ? binHit[b] / count : 0,
  }));
  const ece = n ? out.reduce((s, b) => s + (b.count / n) * Math.abs(b.accuracy - b.meanConfidence), 0) : 0;
  return { ece, bins: out };
}
