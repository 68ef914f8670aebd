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
 *  - MaxPoolGrad: correctness fixes, not speed-ups. The shipped kernel (4.22.0) sends the gradient of a window whose
 *    values are all negative to its first position instead of its maximum (it only recognises maxima > 0), which
 *    matters after BatchNorm (the 4-conv model pools BatchNorm outputs), and with padding ('same') it drops the
 *    gradient of the last padded row for multi-channel inputs. Unpadded pools call the shipped kernel on the input
 *    shifted to be ≥ 1 (argmax positions are shift-invariant); padded non-overlapping pools use a composition that
 *    matches the cpu backend (~3x slower than the shipped kernel, so only there). Ties: the shipped kernel gives
 *    the gradient to the last maximum, cpu to the first; both are valid subgradients.
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

/**
 * MaxPoolGrad for padded, non-overlapping windows (filter = stride). Padding is applied as -Infinity, which never wins a
 * window, so 'same' and explicit pads take this path too (the shipped kernel drops gradients on the last padded row
 * for multi-channel inputs in 4.22.0; this path matches the cpu backend there).
 */
function maxPoolGrad(shipped: Shipped): tf.KernelFunc {
  return (args) => {
    const { inputs, backend } = args;
    const a = args.attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
    const x = inputs.input!;
    const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
    const { top, bottom, left, right } = info.padInfo;
    const [n, h, w, c] = x.shape;
    const hp = h + top + bottom;
    const wp = w + left + right;
    const padded = top > 0 || bottom > 0 || left > 0 || right > 0;
    if (!padded || x.dtype !== 'float32' || kh !== sh || kw !== sw || oh * kh > hp || ow * kw > wp) {
      if (x.dtype !== 'float32') return shipped.kernelFunc(args);
      const [input, output] = [wrap(x, backend), wrap(inputs.output, backend)];
      const [shiftedInput, shiftedOutput] = tf.tidy(() => {
        const offset = tf.sub(1, tf.min(input));
        return [tf.add(input, offset), tf.add(output, offset)];
      });
      tf.dispose([input, output]);
      try {
        return shipped.kernelFunc({ ...args, inputs: { dy: inputs.dy!, input: shiftedInput, output: shiftedOutput } });
      } finally {
        tf.dispose([shiftedInput, shiftedOutput]);
      }
    }
    return tf.tidy(() => {
      const raw = wrap(x, backend) as tf.Tensor4D;
      const input = top || bottom || left || right ? tf.pad(raw, [[0, 0], [top, bottom], [left, right], [0, 0]], -Infinity) : raw;
      const dy = wrap(inputs.dy, backend) as tf.Tensor4D;
      const out = wrap(inputs.output, backend) as tf.Tensor4D;
      let taken: tf.Tensor4D | undefined;
      const rows: tf.Tensor[] = [];
      for (let i = 0; i < kh; i++) {
        const cols: tf.Tensor[] = [];
        for (let j = 0; j < kw; j++) {
          const at = tf.stridedSlice(input, [0, i, j, 0], [n, i + (oh - 1) * kh + 1, j + (ow - 1) * kw + 1, c], [1, kh, kw, 1]) as tf.Tensor4D;
          // The gradient goes to the first position (row-major) holding the maximum, once per window.
          let isMax = tf.equal(at, out) as tf.Tensor4D;
          if (taken) isMax = tf.logicalAnd(isMax, tf.logicalNot(taken)) as tf.Tensor4D;
          taken = taken ? (tf.logicalOr(taken, isMax) as tf.Tensor4D) : isMax;
          cols.push(tf.mul(dy, tf.cast(isMax, 'float32')));
        }
        rows.push(tf.stack(cols, 3).reshape([n, oh, ow * kw, c]));
      }
      const dx = tf.stack(rows, 2).reshape([n, oh * kh, ow * kw, c]) as tf.Tensor4D;
      // Rows/columns past the last full window get no gradient; the padding's share is cut away.
      const full = tf.pad(dx, [[0, 0], [0, hp - oh * kh], [0, wp - ow * kw], [0, 0]]);
      return top || left || hp !== h || wp !== w ? tf.slice(full, [0, top, left, 0], [n, h, w, c]) : full;
    });
  };
}

const overrides: Array<[string, (shipped: Shipped) => tf.KernelFunc]> = [
  ['BatchMatMul', batchMatMul],
  ['Tile', tile],
  ['Sum', (s) => leadingReduce(s, false)],
  ['Mean', (s) => leadingReduce(s, true)],
  ['MaxPoolGrad', maxPoolGrad],
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
