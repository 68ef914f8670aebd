/** One jest run over every workspace; @swc/jest strips types (tsc checks them in `npm run typecheck`). */
module.exports = {
  // The node environment, sharing the main realm's typed arrays so onnxruntime-node outputs pass its checks (see file).
  testEnvironment: '<rootDir>/packages/ml/src/onnx/jest-ort-environment.js',
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  testMatch: ['<rootDir>/{apps,packages,bench,test}/**/*.test.ts'],
  // A few dependencies ship ESM only (content-disposition 2, under @fastify/static); swc makes them CommonJS for jest.
  transformIgnorePatterns: ["/node_modules/(?!.*content-disposition/)"],
  testPathIgnorePatterns: ['/node_modules/', '/data/'],
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
  testTimeout: 120000,
};
