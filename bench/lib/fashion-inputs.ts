import { FASHION_MNIST_CLASSES, type GreyImageSet, imageAt } from '../../packages/ml/src/datasets';
import type { TrainingImage } from '../../packages/ml/src/pipeline';

/** Fashion-MNIST images as pipeline inputs (raw pixels; ids name the split and index). */
export function fashionTrainingImages(set: GreyImageSet, indices: number[], split: string): TrainingImage[] {
  return indices.map((i) => ({
    id: `${split}:${i}`,
    sha256: `${split}:${i}`,
    label: FASHION_MNIST_CLASSES[set.labels[i]],
    pixels: { pixels: imageAt(set, i), width: set.width, height: set.height, channels: 1 as const },
  }));
}

export function greyInputs(set: GreyImageSet, indices: number[]): Array<{ pixels: Uint8Array; width: number; height: number }> {
  return indices.map((i) => ({ pixels: imageAt(set, i), width: set.width, height: set.height }));
}
