import { classBalance } from '@tailor/ml/src/audit/class-balance';

/** The class balance of the labels as they are now; JSON has no Infinity, so an empty class makes the ratio null. */
export function classBalanceView(counts: Array<{ label: string; count: number }>) {
  const b = classBalance(counts);
  return { ...b, ratio: Number.isFinite(b.ratio) ? b.ratio : null };
}
