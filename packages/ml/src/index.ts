export { initTf, tf } from './tf/backend';
export type { TfBackendName } from './tf/backend';
