export type { IdxArray } from './idx';
export { parseIdx } from './idx';
export type { GreyImageSet } from './fashion-mnist';
export { FASHION_MNIST_CLASSES, fashionMnistDir, loadFashionMnist, sampleStratified, imageAt } from './fashion-mnist';
