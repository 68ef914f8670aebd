/** Which unlabelled images a teacher's predictions may label, and how many. */
export interface PseudoLabelPolicy {
  /**
   * Share of the unlabelled images given a pseudo-label (0..1]. Each class takes its share in proportion to the
   * labelled images' class counts, most confident first: a teacher's confident mistakes pile onto a few classes, and
   * a quota per class keeps them from swamping the others.
   */
  fraction: number;
}

export interface PseudoLabels {
  /** Feature-matrix rows of the images that got a label. */
  rows: number[];
  /** Their labels, in `rows` order. */
  labels: Int32Array;
  /** The teacher's probability for each label. */
  confidence: Float32Array;
}

/**
 * Picks pseudo-labels from a teacher's probabilities of the unlabelled `rows` (probs: rows.length x classes), per
 * class by confidence within a quota proportional to `labelCounts` (the labelled training rows' counts per class).
 */
export function selectPseudoLabels(probs: Float32Array, rows: readonly number[], classes: number, labelCounts: ArrayLike<number>, policy: PseudoLabelPolicy): PseudoLabels {
  const total = Array.from(labelCounts).reduce((a, b) => a + b, 0);
  const byClass: Array<Array<{ row: number; conf: number }>> = Array.from({ length: classes }, () => []);
  rows.forEach((row, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
    byClass[best].push({ row, conf: probs[i * classes + best] });
  });
  const picked: Array<{ row: number; label: number; conf: number }> = [];
  byClass.forEach((list, c) => {
    const quota = total > 0 ? Math.round((policy.fraction * rows.length * labelCounts[c]) / total) : 0;
    // Ties broken by row, so the choice does not depend on sort stability.
    list.sort((a, b) => b.conf - a.conf || a.row - b.row);
    for (const x of list.slice(0, quota)) picked.push({ row: x.row, label: c, conf: x.conf });
  });
  picked.sort((a, b) => a.row - b.row);
  return { rows: picked.map((p) => p.row), labels: Int32Array.from(picked, (p) => p.label), confidence: Float32Array.from(picked, (p) => p.conf) };
}

/** The labels of every feature-matrix row: the given ones for labelled rows, pseudo-labels for the chosen unlabelled rows. */
export function withPseudoLabels(labels: Int32Array, totalRows: number, pseudo: PseudoLabels): Int32Array {
  const out = new Int32Array(totalRows).fill(-1);
  out.set(labels);
  pseudo.rows.forEach((r, i) => (out[r] = pseudo.labels[i]));
  return out;
}

/** Labelled training rows per class. */
export function classCounts(labels: Int32Array, rows: readonly number[], classes: number): Int32Array {
  const counts = new Int32Array(classes);
  for (const r of rows) counts[labels[r]]++;
  return counts;
}
