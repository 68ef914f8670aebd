/**
 * Exported models: a version as one ONNX or TF.js graph with its labels, preprocessing and model card (build side,
 * no TF.js, no onnxruntime), and an offline predictor for ONNX bundles (`./run-bundle`, onnxruntime + sharp only).
 */
export { buildExportBundle, type BundleFile } from './export-bundle';
export type { VersionFacts } from './model-card';
export { BUNDLE_FORMAT, BUNDLE_VERSION, OUTPUT_OOD, OUTPUT_PROBABILITIES } from './bundle-format';
export type { BundleInput, BundleModelFormat, BundlePreprocessing } from './bundle-format';
export { prepareBundleBatch, prepareBundleInput } from './bundle-inputs';
