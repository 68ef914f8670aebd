export { buildApp } from './app';
export type { AppOptions } from './app';
