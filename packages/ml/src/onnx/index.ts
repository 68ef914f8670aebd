export { irToOnnx, ONNX_INPUT_NAME, type OnnxExportOptions } from './export-onnx';
export { createOnnxRunner, type OnnxRunner, type OnnxSessionOptions } from './onnx-session';
