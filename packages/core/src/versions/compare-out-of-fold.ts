/** One version's out-of-fold evaluation as its metrics record it. */
export interface OutOfFoldSide {
  /** Images the run was queued with (its snapshot). */
  imageIds: readonly string[];
  /** Images it left out as unreadable: never evaluated. */
  skippedIds: readonly string[];
  /** Off-diagonal cells of its confusion matrix: every image it got wrong, with the class it predicted. */
  misclassified: ReadonlyArray<{ actual: string; predicted: string; imageIds: readonly string[] }>;
}

export interface ComparedImage {
  imageId: string;
  filename: string | null;
  category: string;
  change: 'fixed' | 'broken' | 'different-mistake';
  from: { predicted: string; correct: boolean };
  to: { predicted: string; correct: boolean };
}

export interface OutOfFoldComparison {
  fromEvaluated: number;
  toEvaluated: number;
  compared: number;
  fixed: number;
  broken: number;
  changed: ComparedImage[];
}

/**
 * The images whose prediction differs between two versions, from what each version's evaluation already holds:
 * every evaluated image was predicted by a cross-validation model that did not see it, and the evaluation lists each
 * one it got wrong with the predicted class, so an image not listed was predicted as its own class. No re-prediction
 * is needed, and nothing is scored by a model that trained on the image (which would be right almost always).
 * Only images both versions evaluated and that still exist are compared; `current` gives their category today.
 */
export function compareOutOfFold(
  from: OutOfFoldSide,
  to: OutOfFoldSide,
  current: ReadonlyMap<string, { category: string; filename: string | null }>,
): OutOfFoldComparison {
  const evaluated = (s: OutOfFoldSide) => {
    const skipped = new Set(s.skippedIds);
    return new Set(s.imageIds.filter((id) => !skipped.has(id)));
  };
  const wrong = (s: OutOfFoldSide) => {
    const m = new Map<string, string>();
    for (const cell of s.misclassified) for (const id of cell.imageIds) m.set(id, cell.predicted);
    return m;
  };
  const [a, b] = [evaluated(from), evaluated(to)];
  const [wa, wb] = [wrong(from), wrong(to)];
  const changed: ComparedImage[] = [];
  let compared = 0;
  for (const id of a) {
    const image = current.get(id);
    if (!b.has(id) || !image) continue;
    compared++;
    const pa = wa.get(id);
    const pb = wb.get(id);
    if (pa === pb) continue; // both right, or the same mistake
    changed.push({
      imageId: id,
      filename: image.filename,
      category: image.category,
      change: pa === undefined ? 'broken' : pb === undefined ? 'fixed' : 'different-mistake',
      from: { predicted: pa ?? image.category, correct: pa === undefined },
      to: { predicted: pb ?? image.category, correct: pb === undefined },
    });
  }
  const order = { broken: 0, fixed: 1, 'different-mistake': 2 };
  changed.sort((x, y) => order[x.change] - order[y.change] || x.category.localeCompare(y.category) || x.imageId.localeCompare(y.imageId));
  return {
    fromEvaluated: a.size,
    toEvaluated: b.size,
    compared,
    fixed: changed.filter((c) => c.change === 'fixed').length,
    broken: changed.filter((c) => c.change === 'broken').length,
    changed,
  };
}
