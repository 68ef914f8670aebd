export { registerTrainingWorker } from './training-worker';
export type { WorkerLogger } from './training-worker';
export { blobStoreConfig } from './blob-config';
export { recoverRuns, scheduleRecovery } from './recover-runs';
export { registerNotifyWorker } from './notify-worker';
