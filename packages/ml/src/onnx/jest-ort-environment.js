/**
 * Jest's node environment gives each test file its own Float32Array (etc.), but onnxruntime-node's native binding
 * builds output tensors from the main realm's typed arrays, and onnxruntime-common rejects them with
 * "A float32 tensor's data must be type of function Float32Array()". Sharing the main realm's typed-array
 * constructors with the sandbox fixes that (Jest 30 already shares Uint8Array). Tests that run onnxruntime use
 * `@jest-environment ./packages/ml/src/onnx/jest-ort-environment.js` (or set it as `testEnvironment` in jest.config).
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array', 'Uint8Array',
  'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
];

class OrtEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OrtEnvironment;
