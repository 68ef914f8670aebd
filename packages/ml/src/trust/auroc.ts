/**
 * Area under the ROC curve of a score that should be higher for `positives` than for `negatives`: the probability
 * that a random positive outscores a random negative, ties counting half (the Mann-Whitney U statistic, by ranks).
 * 0.5 = no signal, 1 = every positive above every negative.
 */
export function auroc(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  const np = positives.length;
  const nn = negatives.length;
  if (!np || !nn) throw new Error('AUROC needs at least one positive and one negative score');
  const all: Array<{ v: number; pos: boolean }> = [];
  for (let i = 0; i < np; i++) all.push({ v: positives[i], pos: true });
  for (let i = 0; i < nn; i++) all.push({ v: negatives[i], pos: false });
  all.sort((a, b) => a.v - b.v);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].v === all[i].v) j++;
    // Tied values share the average of their ranks (1-based): ranks i+1 .. j.
    const rank = (i + 1 + j) / 2;
    for (let t = i; t < j; t++) if (all[t].pos) rankSum += rank;
    i = j;
  }
  return (rankSum - (np * (np + 1)) / 2) / (np * nn);
}
