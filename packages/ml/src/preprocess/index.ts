export { decodeImageInfo, decodeToRgb, greyPixelsToRgb, rgbPixelsToRgb, InvalidImageError, SUPPORTED_FORMATS, DECODE_FAIL_ON, type ImageFormat, type ImageInfo } from './decode-image';
export { checkImageSize, verifyImage, DEFAULT_MAX_IMAGE_PIXELS, type PixelLimits } from './check-image';
export { normalizeRgb, stackBatch } from './normalize';
export { preprocessImage, preprocessGreyPixels, preprocessBatch, mapLimit, type PreprocessOptions } from './preprocess-image';
export { UNIT_RANGE, type FloatImage, type RgbImage, type Normalization, type ResizeKernel, type ResizeOptions, type ResizePolicy } from './image-types';
