export { startTailor } from './start';
export type { Running } from './start';
export { openInfrastructure } from './infrastructure';
export { bootstrapAccount } from './bootstrap-account';
