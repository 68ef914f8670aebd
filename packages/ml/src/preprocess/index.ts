export { decodeImageInfo, decodeToRgb, greyPixelsToRgb, rgbPixelsToRgb, InvalidImageError, SUPPORTED_FORMATS, type ImageFormat, type ImageInfo } from './decode-image';
export { normalizeRgb, stackBatch } from './normalize';
export { preprocessImage, preprocessGreyPixels, preprocessBatch, mapLimit, type PreprocessOptions } from './preprocess-image';
export { UNIT_RANGE, type FloatImage, type RgbImage, type Normalization, type ResizeKernel, type ResizeOptions, type ResizePolicy } from './image-types';
