import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmConvGrads } from './conv-grads';
import { makeRng } from '../random';

type Case = { name: string; x: [number, number, number, number]; w: [number, number, number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number };

const cases: Case[] = [
  { name: '3x3 valid stride 1 (the tutorial layers)', x: [3, 9, 8, 4], w: [3, 3, 4, 5], strides: 1, pad: 'valid' },
  { name: '3x3 same stride 1', x: [2, 7, 7, 3], w: [3, 3, 3, 2], strides: 1, pad: 'same' },
  { name: '3x3 valid stride 2, odd size (rows no tap reaches)', x: [2, 10, 9, 3], w: [3, 3, 3, 4], strides: 2, pad: 'valid' },
  { name: '5x3 same stride [2,3]', x: [2, 11, 10, 2], w: [5, 3, 2, 3], strides: [2, 3], pad: 'same' },
  { name: '3x3 explicit pad 1 stride 2', x: [1, 8, 8, 2], w: [3, 3, 2, 2], strides: 2, pad: 1 },
  { name: '1 input channel, 32 filters', x: [4, 12, 12, 1], w: [3, 3, 1, 32], strides: 1, pad: 'valid' },
];

function randomArray(n: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => rng() * 2 - 1);
}

/** dx, dw of sum(conv2d(x, w) * r) — a random cotangent so every output position weighs differently. */
function grads(c: Case, backend: string) {
  return tf.tidy(() => {
    const size = (s: number[]) => s.reduce((a, b) => a + b, 1) && s.reduce((a, b) => a * b, 1);
    const x = tf.tensor4d(randomArray(size(c.x), 1), c.x);
    const w = tf.tensor4d(randomArray(size(c.w), 2), c.w);
    const yShape = tf.conv2d(x, w, c.strides, c.pad).shape;
    const r = tf.tensor(randomArray(size(yShape), 3), yShape);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad).mul(r).sum())([x, w]);
    expect(tf.getBackend()).toBe(backend);
    return { dx: Float32Array.from(dx.dataSync()), dw: Float32Array.from(dw.dataSync()), dxShape: dx.shape, dwShape: dw.shape };
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('wasm conv gradient kernels', () => {
  const reference = new Map<string, ReturnType<typeof grads>>();

  beforeAll(async () => {
    await tf.setBackend('cpu');
    for (const c of cases) reference.set(c.name, grads(c, 'cpu'));
    await tf.setBackend('wasm');
    await tf.ready();
    registerWasmConvGrads();
  });

  it('registers Conv2DBackpropFilter and Conv2DBackpropInput for wasm only', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBeDefined();
    // cpu keeps its own kernels (which produced the reference values above).
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc.name).not.toBe('backpropFilterKernel');
  });

  it.each(cases.map((c) => [c.name, c] as const))('matches the cpu backend: %s', (_name, c) => {
    const ref = reference.get(c.name)!;
    const got = grads(c, 'wasm');
    expect(got.dxShape).toEqual(ref.dxShape);
    expect(got.dwShape).toEqual(ref.dwShape);
    expect(got.dw.length).toBe(ref.dw.length);
    expect(maxAbsDiff(got.dw, ref.dw)).toBeLessThan(1e-4);
    expect(maxAbsDiff(got.dx, ref.dx)).toBeLessThan(1e-4);
    // Sanity that the comparison is not vacuous.
    expect(maxAbsDiff(ref.dw, new Float32Array(ref.dw.length))).toBeGreaterThan(0.1);
  });

  it('releases every intermediate tensor', () => {
    const c = cases[2];
    grads(c, 'wasm');
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) grads(c, 'wasm');
    expect(tf.memory().numTensors).toBe(before);
  });
});
