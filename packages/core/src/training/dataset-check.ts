import type { ErrorDetail } from '../errors';

export interface CategoryCount {
  name: string;
  count: number;
}

/** Why a dataset cannot train, one line per problem, or an empty list. Checked before anything is queued. */
export function datasetProblems(categories: CategoryCount[], minPerClass: number): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const populated = categories.filter((c) => c.count > 0);
  if (populated.length < 2) {
    problems.push({ reason: 'Not enough categories', message: 'At least two categories need images to train a classifier' });
  }
  const short = categories.filter((c) => c.count < minPerClass);
  if (short.length) {
    problems.push({
      reason: 'Not enough images',
      message: `Each category needs at least ${minPerClass} images; short: ${short.map((c) => `${c.name} (${c.count})`).join(', ')}`,
    });
  }
  return problems;
}
