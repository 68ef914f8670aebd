export {
  augmentImage,
  applyAugment,
  drawAugmentParams,
  flipHorizontal,
  KERAS_AUGMENT_DEFAULTS,
  type AugmentableImage,
  type AugmentOptions,
  type AugmentParams,
} from './augment-image';
export { mulberry32, hashSeed } from '../random';
