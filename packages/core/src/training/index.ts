export { TrainingService, restoreModelAfterRun } from './training-service';
export type { StartTrainingInput } from './training-service';
export { datasetProblems } from './dataset-check';
export { progressLine, formatDuration } from './progress-text';
export type { RunProgressView } from './progress-text';
export { RunLifecycle } from './run-lifecycle';
export type { ProgressUpdate } from './run-lifecycle';
export { trainingDefaults } from './training-defaults';
export type { TrainingDefaults } from './training-defaults';
