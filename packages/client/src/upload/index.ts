export { scanClassFolders, IMAGE_EXTENSIONS, type LocalImage } from './scan-class-folders';
export { uploadFolder, type UploadFolderOptions, type UploadFolderResult, type UploadProgress } from './upload-folder';
