import { requireImagesPerClass } from './load-images';

/** Class names to indices, checked before anything is loaded: unique names, at least two classes, enough images each. */
export function checkDataset(classes: string[], images: readonly { id: string; label: string }[], minPerClass: number): (imgs: readonly { id: string; label: string }[]) => Int32Array {
  if (new Set(classes).size !== classes.length) throw new Error('duplicate class names');
  if (classes.length < 2) throw new Error('at least two classes are needed');
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const labelsOf = (imgs: readonly { id: string; label: string }[]) =>
    Int32Array.from(imgs, (img) => {
      const k = classIndex.get(img.label);
      if (k === undefined) throw new Error(`image ${img.id} has label "${img.label}", which is not one of the classes`);
      return k;
    });
  requireImagesPerClass(classes, labelsOf(images), minPerClass);
  return labelsOf;
}
