export type { ClassMetrics, ConfusionCell, ReliabilityBin, ClassificationMetrics, PredictionsToScore } from './metrics';
export { scorePredictions, argMaxRow } from './metrics';
export type { EvaluationReport } from './report';
