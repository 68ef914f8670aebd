export { writeZip, zipStream, type ZipEntry } from './zip-writer';
export { bufferSource, openZipFile, readZipDirectory, readZipEntry, unzipToMap } from './zip-reader';
export type { ZipDirEntry, ZipSource, ZipFileSource, ZipDirectoryOptions, ReadEntryOptions } from './zip-reader';
export { ZipFormatError } from './zip-format';
