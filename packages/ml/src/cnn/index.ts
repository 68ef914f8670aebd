/** The tutorial's CNNs (1/3/4 conv layers) trained from scratch; trainable on wasm via ../tf/conv-grads. */
export { CNN_ARCHS, buildCnn } from './architectures';
export type { CnnArch } from './architectures';
export { trainCnn } from './train';
export type { EpochStats, LabelledImages, TrainCnnOptions, TrainCnnResult } from './train';
export { loadCnn, saveCnn, readCnnMeta } from './artifact';
export type { CnnArtifact, CnnMeta, CnnPredictor } from './artifact';
export { evaluateCnn, predictProbabilities } from './evaluate';
export type { EvalResult } from './evaluate';
export { DEFAULT_AUGMENT, augmentBatch, randomAffineTransforms } from './augment';
export type { AugmentOptions } from './augment';
export { CNN_INPUT, imageToCnnInput, imagesToCnnBatch } from './input';
export { makeRng } from './random';
