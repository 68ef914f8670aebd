export { VersionService } from './version-service';
export { compareOutOfFold } from './compare-out-of-fold';
export type { ComparedImage, OutOfFoldComparison, OutOfFoldSide } from './compare-out-of-fold';
