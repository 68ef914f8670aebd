/**
 * The tutorial's CNNs (1/3/4 conv layers) trained from scratch; trainable on wasm via ../tf/conv-grads.
 * Names are prefixed (Cnn…) where the package's other modules already export the plain name.
 */
export { CNN_ARCHS, buildCnn } from './architectures';
export type { CnnArch } from './architectures';
export { trainCnn } from './train';
export type { EpochStats as CnnEpochStats, LabelledImages as CnnLabelledImages, TrainCnnOptions, TrainCnnResult } from './train';
export { loadCnn, saveCnn, readCnnMeta } from './artifact';
export type { CnnArtifact, CnnMeta, CnnPredictor } from './artifact';
export { evaluateCnn, predictProbabilities as predictCnnProbabilities } from './evaluate';
export type { EvalResult as CnnEvalResult } from './evaluate';
export { DEFAULT_AUGMENT as CNN_DEFAULT_AUGMENT, augmentBatch as augmentCnnBatch } from './augment';
export type { AugmentOptions as CnnAugmentOptions } from './augment';
export { CNN_INPUT, greyPixelsToCnnInput, imageToCnnInput, imagesToCnnBatch } from './input';
export { embedInputToCnn, embedInputsToCnnBatch } from './from-embed-input';
