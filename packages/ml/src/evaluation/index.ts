export type { ClassMetrics, ConfusionCell, ReliabilityBin, ClassificationMetrics, PredictionsToScore } from './metrics';
export { scorePredictions, argMaxRow, calibrationOf } from './metrics';
export type { EvaluationReport } from './report';
