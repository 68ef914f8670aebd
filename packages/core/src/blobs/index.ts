export { withImageBlobLock, releaseImageBlobs, deleteBlobPrefix } from './image-blob-refs';
