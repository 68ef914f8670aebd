import * as tf from '@tensorflow/tfjs';

export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

let ready: Promise<TfBackendName> | undefined;

/**
 * Picks the fastest TensorFlow.js backend installed: tfjs-node-gpu / tfjs-node (native, optional: they cannot be
 * installed offline, so they are imported dynamically and never listed as dependencies), else the bundled wasm
 * backend. `TAILOR_TF_BACKEND` forces one. Idempotent: every caller awaits the same initialisation.
 */
export function initTf(preferred = process.env.TAILOR_TF_BACKEND): Promise<TfBackendName> {
  ready ??= pickBackend(preferred);
  return ready;
}

async function pickBackend(preferred?: string): Promise<TfBackendName> {
  if (!preferred || preferred === 'tensorflow') {
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        await import(pkg);
        if (await tf.setBackend('tensorflow')) return 'tensorflow';
      } catch {
        // not installed here; fall through to the next engine
      }
    }
  }
  if (preferred !== 'cpu') {
    await import('@tensorflow/tfjs-backend-wasm');
    if (await tf.setBackend('wasm')) {
      await tf.ready();
      (await import('./conv-grads')).registerWasmConvGrads(); // wasm ships no conv filter gradient: trainable CNNs
      return 'wasm';
    }
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return 'cpu';
}

export { tf };
