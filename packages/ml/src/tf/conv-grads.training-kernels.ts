import * as tf from '@tensorflow/tfjs';

/**
 * Faster wasm versions of kernels that dominate a CNN's backward pass, measured at batch 256 on 2 cores:
 *  - BatchMatMul with transposeA/transposeB (every dense layer's gradient): the shipped kernel took 635–1283 ms
 *    for a 256x5408x128 / 256x2048x512 product that takes 40–67 ms untransposed. Transposing explicitly first
 *    (a cheap copy) and multiplying plainly gives the same result at the plain speed.
 *  - Tile (BatchNorm's gradient tiles per-channel statistics to the full activation): 927 ms for 256x24x24x32.
 *    Tiling is a broadcast of a reshaped input, which the broadcasting Add does in ~25 ms.
 *  - Sum / Mean over the leading axes (bias gradients, BatchNorm moments): the shipped kernel transposes the
 *    reduced axes innermost first; a ones-vector matrix product reduces the leading axes directly.
 * Each falls back to the shipped kernel outside the case it speeds up. Overrides are registered for 'wasm' only.
 */

type Shipped = { kernelFunc: tf.KernelFunc; setupFunc?: tf.KernelConfig['setupFunc'] };

function wrap(info: tf.TensorInfo | undefined, backend: unknown): tf.Tensor {
  if (!info) throw new Error('kernel input missing');
  // See conv-grads.ts: the engine's wrapper takes no backend reference, so take one to balance the tidy's dispose.
  const t = tf.engine().makeTensorFromTensorInfo(info);
  (backend as tf.KernelBackend).incRef(info.dataId);
  return t;
}

function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(t, perm);
}

function batchMatMul(shipped: Shipped): tf.KernelFunc {
  return (args) => {
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return shipped.kernelFunc(args);
    const { inputs, backend } = args;
    return tf.tidy(() => {
      const a = wrap(inputs.a, backend);
      const b = wrap(inputs.b, backend);
      // Re-enters this kernel without transposes, i.e. the shipped fast path.
      return tf.matMul(transposeA ? swapLastTwo(a) : a, transposeB ? swapLastTwo(b) : b);
    });
  };
}

/** Tile as broadcast: x viewed as [1,d0,1,d1,…] broadcast against [r0,d0,r1,d1,…], unit axes dropped, runs merged. */
function tile(shipped: Shipped): tf.KernelFunc {
  return (args) => {
    const { inputs, backend } = args;
    const { reps } = args.attrs as unknown as { reps: number[] };
    const x = inputs.x!;
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return shipped.kernelFunc(args);
    const view: number[] = [];
    const target: number[] = [];
    const push = (v: number, t: number) => {
      if (t === 1) return;
      const last = view.length - 1;
      const broadcastRun = v === 1 && last >= 0 && view[last] === 1;
      const copyRun = v !== 1 && last >= 0 && view[last] === target[last];
      if (broadcastRun) target[last] *= t;
      else if (copyRun) {
        view[last] *= v;
        target[last] *= t;
      } else {
        view.push(v);
        target.push(t);
      }
    };
    x.shape.forEach((d, i) => {
      push(1, reps[i]);
      push(d, d);
    });
    const outShape = x.shape.map((d, i) => d * reps[i]);
    return tf.tidy(() => {
      const xv = wrap(x, backend).reshape(view.length ? view : [1]);
      return tf.add(xv, tf.zeros(target.length ? target : [1], x.dtype)).reshape(outShape);
    });
  };
}

/** Sum/Mean over axes [0..k-1] of a float32 tensor as ones[1,P] · x[P,C]; anything else goes to the shipped kernel. */
function leadingReduce(shipped: Shipped, mean: boolean): tf.KernelFunc {
  return (args) => {
    const { inputs, backend } = args;
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const x = inputs.x!;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return shipped.kernelFunc(args);
    const p = x.shape.slice(0, axes.length).reduce((s, d) => s * d, 1);
    const rest = x.shape.slice(axes.length);
    const c = rest.reduce((s, d) => s * d, 1);
    const outShape = keepDims ? [...axes.map(() => 1), ...rest] : rest;
    return tf.tidy(() => {
      const ones = tf.fill([1, p], mean ? 1 / p : 1);
      return tf.matMul(ones, wrap(x, backend).reshape([p, c])).reshape(outShape);
    });
  };
}

const overrides: Array<[string, (shipped: Shipped) => tf.KernelFunc]> = [
  ['BatchMatMul', batchMatMul],
  ['Tile', tile],
  ['Sum', (s) => leadingReduce(s, false)],
  ['Mean', (s) => leadingReduce(s, true)],
];

let registered = false;

/** Replaces the shipped wasm kernels above with the faster compositions. Idempotent; wasm only. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const shippedKernels = overrides.map(([name]) => tf.getKernel(name, 'wasm'));
  if (shippedKernels.some((k) => !k)) return; // not the wasm backend we measured; keep whatever is there
  registered = true;
  overrides.forEach(([kernelName, make], i) => {
    const shipped = shippedKernels[i]!;
    tf.unregisterKernel(kernelName, 'wasm');
    // The shipped setupFunc binds the wasm function the fallback path calls; keep it for backend re-initialisation.
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: make(shipped), setupFunc: shipped.setupFunc });
  });
}
