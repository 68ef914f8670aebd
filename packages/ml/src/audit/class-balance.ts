export interface ClassBalance {
  counts: Array<{ label: string; count: number }>;
  /** Largest class over smallest (Infinity when a class is empty). */
  ratio: number;
  /** Classes with under half the median class's images: the model sees too little of them. */
  underRepresented: string[];
  /** One line saying what the numbers mean, empty when the classes are balanced. */
  message: string;
}

/** How evenly the labelled images spread over the classes. */
export function classBalance(counts: ReadonlyArray<{ label: string; count: number }>): ClassBalance {
  const sorted = counts.map((c) => c.count).sort((a, b) => a - b);
  const median = sorted.length ? (sorted[(sorted.length - 1) >> 1] + sorted[sorted.length >> 1]) / 2 : 0;
  const [min, max] = [sorted[0] ?? 0, sorted.at(-1) ?? 0];
  const ratio = min > 0 ? max / min : max > 0 ? Infinity : 1;
  const underRepresented = counts.filter((c) => c.count < median / 2).map((c) => c.label);
  const message = underRepresented.length
    ? `${underRepresented.join(', ')} ha${underRepresented.length === 1 ? 's' : 've'} under half the images of the median class (${median}); the model sees too little of ${underRepresented.length === 1 ? 'it' : 'them'} — label more`
    : ratio > 3
      ? `the largest class has ${ratio.toFixed(1)}x the images of the smallest`
      : '';
  return { counts: [...counts], ratio, underRepresented, message };
}
