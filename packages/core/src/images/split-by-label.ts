/** Labelled and unlabelled images apart, with the labelled ones' category known to be there (for the type checker). */
export function splitByLabel<T extends { category: { name: string } | null }>(images: readonly T[]): { labeled: Array<T & { category: { name: string } }>; unlabeled: T[] } {
  const labeled: Array<T & { category: { name: string } }> = [];
  const unlabeled: T[] = [];
  for (const image of images) {
    if (image.category) labeled.push(image as T & { category: { name: string } });
    else unlabeled.push(image);
  }
  return { labeled, unlabeled };
}
