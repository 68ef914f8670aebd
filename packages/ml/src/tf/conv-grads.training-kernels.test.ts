import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmConvGrads } from './conv-grads';
import { makeRng } from '../random';

type Op = { name: string; shapes: number[][]; run: (...xs: tf.Tensor[]) => tf.Tensor };

/** d/dx of sum(maxPool(x) * r) with a fixed cotangent r, so each window's gradient has its own value. */
function maxPoolGrad(x: tf.Tensor, k: number, pad: 'valid' | 'same', stride = k): tf.Tensor {
  const f = (z: tf.Tensor) => tf.maxPool(z as tf.Tensor4D, k, stride, pad);
  const shape = f(x).shape;
  const r = tf.range(1, shape.reduce((a, b) => a * b, 1) + 1).reshape(shape);
  return tf.grad((z: tf.Tensor) => f(z).mul(r).sum())(x);
}

const ops: Op[] = [
  { name: 'matMul transposeA', shapes: [[7, 5], [7, 3]], run: (a, b) => tf.matMul(a, b, true, false) },
  { name: 'matMul transposeB', shapes: [[5, 7], [3, 7]], run: (a, b) => tf.matMul(a, b, false, true) },
  { name: 'matMul both, batched', shapes: [[2, 7, 5], [2, 3, 7]], run: (a, b) => tf.matMul(a, b, true, true) },
  { name: 'matMul plain', shapes: [[4, 6], [6, 2]], run: (a, b) => tf.matMul(a, b) },
  { name: 'tile broadcast (BatchNorm grad)', shapes: [[1, 1, 1, 3]], run: (x) => tf.tile(x, [2, 4, 5, 1]) },
  { name: 'tile copies', shapes: [[2, 3]], run: (x) => tf.tile(x, [3, 2]) },
  { name: 'tile mixed', shapes: [[2, 1, 3]], run: (x) => tf.tile(x, [2, 4, 1]) },
  { name: 'tile int32', shapes: [[2, 2]], run: (x) => tf.tile(x.mul(10).toInt(), [1, 3]) },
  { name: 'sum leading axes', shapes: [[3, 4, 5, 2]], run: (x) => tf.sum(x, [0, 1, 2]) },
  { name: 'sum leading keepDims', shapes: [[3, 4, 2]], run: (x) => tf.sum(x, [1, 0], true) },
  { name: 'sum trailing (shipped)', shapes: [[3, 4, 2]], run: (x) => tf.sum(x, -1) },
  { name: 'sum all (shipped)', shapes: [[3, 4]], run: (x) => tf.sum(x) },
  { name: 'mean leading axes', shapes: [[6, 5, 3]], run: (x) => tf.mean(x, [0, 1]) },
  { name: 'maxPool 2x2 gradient', shapes: [[2, 6, 8, 3]], run: (x) => maxPoolGrad(x, 2, 'valid') },
  { name: 'maxPool 2x2 gradient, all-negative windows', shapes: [[1, 4, 4, 2]], run: (x) => maxPoolGrad(x.sub(2), 2, 'valid') },
  { name: 'maxPool 2x2 gradient, odd size, ReLU-zero ties', shapes: [[2, 7, 5, 2]], run: (x) => tf.grad((z: tf.Tensor) => tf.maxPool(tf.relu(z) as tf.Tensor4D, 2, 2, 'valid').mul(3).sum())(x) },
  { name: 'maxPool 3x3/2 gradient (overlapping: shipped)', shapes: [[1, 7, 7, 2]], run: (x) => maxPoolGrad(x, 3, 'valid', 2) },
  { name: 'maxPool 2x2 same gradient (padded)', shapes: [[2, 5, 5, 2]], run: (x) => maxPoolGrad(x, 2, 'same') },
  { name: 'maxPool 3x3/3 same gradient (padded both sides)', shapes: [[1, 7, 8, 2]], run: (x) => maxPoolGrad(x, 3, 'same') },
  { name: 'moments (BatchNorm forward)', shapes: [[4, 3, 3, 2]], run: (x) => tf.moments(x, [0, 1, 2]).variance },
];

function evaluate(op: Op) {
  return tf.tidy(() => {
    const xs = op.shapes.map((s, i) => {
      const rng = makeRng(10 + i);
      return tf.tensor(Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng() * 2 - 1), s);
    });
    const y = op.run(...xs);
    return { shape: y.shape, values: Array.from(y.dataSync()), dtype: y.dtype };
  });
}

describe('wasm training kernel overrides', () => {
  const reference = new Map<string, ReturnType<typeof evaluate>>();
  beforeAll(async () => {
    await tf.setBackend('cpu');
    for (const op of ops) reference.set(op.name, evaluate(op));
    await tf.setBackend('wasm');
    await tf.ready();
    registerWasmConvGrads();
  });

  it.each(ops.map((o) => [o.name, o] as const))('matches the cpu backend: %s', (_n, op) => {
    const ref = reference.get(op.name)!;
    const got = evaluate(op);
    expect(tf.getBackend()).toBe('wasm');
    expect(got.shape).toEqual(ref.shape);
    expect(got.dtype).toBe(ref.dtype);
    got.values.forEach((v, i) => expect(v).toBeCloseTo(ref.values[i], 4));
  });

  it('releases every intermediate tensor', () => {
    for (const op of ops) evaluate(op);
    const before = tf.memory().numTensors;
    for (const op of ops) evaluate(op);
    expect(tf.memory().numTensors).toBe(before);
  });
});
