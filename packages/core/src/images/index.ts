export { splitByLabel } from './split-by-label';
export { ImageService } from './image-service';
export type { IncomingFile, UploadResult, UploadStatus, ImageLimits } from './image-service';
