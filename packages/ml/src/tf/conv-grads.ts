import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './conv-grads.training-kernels';

/**
 * Convolution gradients for the wasm backend, expressed as forward convolutions (which wasm runs through XNNPack).
 *
 * Why: tfjs-backend-wasm 4.22.0 registers no `Conv2DBackpropFilter`, so a conv layer cannot be trained on it, and its
 * `Conv2DBackpropInput` is a plain C++ loop that measured ~10x slower than the equivalent forward convolution
 * (1.9 s vs 0.2 s for a 256x26x26x32 layer). Both gradients are rewritten as one `conv2d` each:
 *  - filter gradient: correlate the (padded) input with the output gradient, treating the batch as the channel
 *    dimension: xᵀ [Cin,H,W,N] ⊛ dyᵀ [OH,OW,N,Cout] with dilation = stride → [Cin,fh,fw,Cout];
 *  - input gradient: the "full" convolution of the stride-dilated output gradient with the spatially flipped,
 *    in/out-swapped filter.
 * Kernels receive and may return tensors; nested ops run with the tape off (engine kernelDepth > 0), so they do not
 * disturb autodiff. Intermediate tensors are released by the tidy around each kernel body.
 */

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Wraps a kernel input (a bare TensorInfo) as a Tensor so ordinary ops can consume it. The engine's wrapper does not
 * take a backend reference, so one is taken here; otherwise disposing the wrapper (the enclosing tidy does) would
 * free the caller's data.
 */
function wrap(info: tf.TensorInfo | undefined, backend: unknown): tf.Tensor {
  if (!info) throw new Error('kernel input missing');
  const t = tf.engine().makeTensorFromTensorInfo(info);
  (backend as tf.KernelBackend).incRef(info.dataId);
  return t;
}

function requireNhwc(kernel: string, dataFormat: string | undefined): void {
  // Layers models are channels-last, and the wasm forward conv itself only supports NHWC.
  if (dataFormat === 'NCHW') throw new Error(`${kernel} on wasm: only NHWC is supported`);
}

/** Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor. */
function padOrCrop(x: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  let out = tf.pad(x, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, h, w, c] = out.shape;
    const t = Math.max(-top, 0);
    const l = Math.max(-left, 0);
    out = tf.slice(out, [0, t, l, 0], [n, h - t - Math.max(-bottom, 0), w - l - Math.max(-right, 0), c]);
  }
  return out;
}

/** Inserts stride-1 zeros between rows and columns: [N,OH,OW,C] → [N,(OH-1)sh+1,(OW-1)sw+1,C]. */
function dilateSpatial(x: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return x;
  const [n, h, w, c] = x.shape;
  const spread = tf.pad(x.reshape([n, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.slice(spread.reshape([n, h * sh, w * sw, c]) as tf.Tensor4D, [0, 0, 0, 0], [n, (h - 1) * sh + 1, (w - 1) * sw + 1, c]);
}

export function conv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], attrs: ConvAttrs): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { top, bottom, left, right } = info.padInfo;
  const [fh, fw] = filterShape;
  const xp = padOrCrop(x, top, bottom, left, right);
  const xt = xp.transpose([3, 1, 2, 0]) as tf.Tensor4D; // [Cin, Hp, Wp, N]
  const dyt = dy.transpose([1, 2, 0, 3]) as tf.Tensor4D; // [OH, OW, N, Cout]
  // Dilation = stride: filter tap (oh, ow) meets input row p + oh*stride.
  const corr = tf.conv2d(xt, dyt, 1, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]); // [Cin, ≥fh, ≥fw, Cout]
  const [cin, , , cout] = corr.shape;
  // Rows past fh exist only when (Hp - fh) is not a multiple of the stride; they are not filter taps.
  const taps = tf.slice(corr, [0, 0, 0, 0], [cin, fh, fw, cout]);
  return taps.transpose([1, 2, 0, 3]) as tf.Tensor4D; // [fh, fw, Cin, Cout]
}

export function conv2dBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, inputShape: [number, number, number, number], attrs: ConvAttrs): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const [, h, w] = inputShape;
  const [fh, fw] = filter.shape;
  const dyd = dilateSpatial(dy, info.strideHeight, info.strideWidth);
  // Full correlation: dx[r] = Σ_k dyd[r + padTop - k] · w[k], i.e. a valid conv of dyd padded by fh-1-padTop on top,
  // with the filter flipped; the bottom pad makes the output exactly H rows (it absorbs rows a stride never reached).
  const top = fh - 1 - info.padInfo.top;
  const left = fw - 1 - info.padInfo.left;
  const bottom = h + fh - 1 - top - dyd.shape[1];
  const right = w + fw - 1 - left - dyd.shape[2];
  const flipped = tf.reverse(filter, [0, 1]).transpose([0, 1, 3, 2]) as tf.Tensor4D; // [fh, fw, Cout, Cin]
  return tf.conv2d(padOrCrop(dyd, top, bottom, left, right), flipped, 1, 'valid');
}

const backpropFilterKernel: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const a = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
  requireNhwc('Conv2DBackpropFilter', a.dataFormat);
  return tf.tidy(() => conv2dBackpropFilter(wrap(inputs.x, backend) as tf.Tensor4D, wrap(inputs.dy, backend) as tf.Tensor4D, a.filterShape, a));
};

const backpropInputKernel: tf.KernelFunc = ({ inputs, attrs, backend }) => {
  const a = attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
  requireNhwc('Conv2DBackpropInput', a.dataFormat);
  return tf.tidy(() => conv2dBackpropInput(wrap(inputs.dy, backend) as tf.Tensor4D, wrap(inputs.filter, backend) as tf.Tensor4D, a.inputShape, a));
};

let registered = false;

/**
 * Registers the conv gradient kernels (and the faster training kernels of conv-grads.training-kernels.ts) for the
 * 'wasm' backend only: native backends (tfjs-node, tfjs-node-gpu) and
 * `cpu` keep their own. Idempotent. Call after the wasm backend is set (kernel look-up happens per op call).
 */
export function registerWasmConvGrads(): void {
  if (registered) return;
  registered = true;
  registerWasmTrainingKernels();
  for (const [kernelName, kernelFunc] of [
    ['Conv2DBackpropFilter', backpropFilterKernel],
    ['Conv2DBackpropInput', backpropInputKernel],
  ] as const) {
    // The shipped (slow) Conv2DBackpropInput is replaced, not shadowed: registerKernel refuses duplicates.
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}
