/** @jest-environment ./packages/ml/src/onnx/jest-ort-environment.js */
import { createOnnxRunner } from '../onnx/onnx-session';
import { preprocessImage } from '../preprocess/preprocess-image';
import { stackBatch } from '../preprocess/normalize';
import { initTf, tf } from '../tf/backend';
import { backboneOnnx, loadBackbone } from './load-backbone';
import { readSampleImages } from './test-samples';
import { buildTfjsBackbone } from './tfjs-backbone';

function compare(a: Float32Array, b: Float32Array, width: number) {
  let maxAbs = 0;
  let minCos = 1;
  for (let r = 0; r < a.length / width; r++) {
    let dot = 0, na = 0, nb = 0;
    for (let j = r * width; j < (r + 1) * width; j++) {
      maxAbs = Math.max(maxAbs, Math.abs(a[j] - b[j]));
      dot += a[j] * b[j];
      na += a[j] * a[j];
      nb += b[j] * b[j];
    }
    minCos = Math.min(minCos, dot / Math.sqrt(na * nb));
  }
  return { maxAbs, minCos };
}

describe('TF.js backbone built from the same IR agrees with onnxruntime', () => {
  beforeAll(() => initTf());

  it.each([
    ['mobilenet_v2_1.0_224_quant', ['pool_block_13', 'pool_conv_1', 'block_6'], 96],
    ['mobilenet_v2_1.0_224_quant', ['probabilities'], 224],
    ['mobilenet_v1_1.0_224_quant_embedding', ['pool_conv_13'], 128],
    // Shapes inferred by the importer, full 3x3 convs, 5x5 depthwise, logits as a 1x1 conv on the pooled map.
    ['mobilenet_edgetpu_224_1.0_uint8', ['pool_block_4', 'block_16', 'pool_conv_1', 'probabilities'], 96],
  ] as const)('%s %j at %i', async (name, outputs, size) => {
    const { ir } = await loadBackbone(name);
    const imgs = await Promise.all(readSampleImages().map((s) => preprocessImage(s.bytes, { size })));
    const batch = stackBatch(imgs);
    const runner = await createOnnxRunner(await backboneOnnx(name, [...outputs]));
    const onnx = await runner.run(batch.data, batch.shape);
    await runner.release();
    const model = buildTfjsBackbone(ir);
    const before = tf.memory().numTensors;
    for (let rep = 0; rep < 2; rep++) {
      const x = tf.tensor4d(batch.data, batch.shape);
      const res = model.apply(x, [...outputs]);
      x.dispose();
      for (const o of outputs) {
        expect(res[o].shape).toEqual(onnx[o].dims);
        const width = onnx[o].dims.slice(1).reduce((a, b) => a * b, 1);
        const { maxAbs, minCos } = compare(res[o].dataSync() as Float32Array, onnx[o].data, width);
        if (rep === 0) console.log(`${name} ${o} @${size}: max |diff| ${maxAbs.toExponential(2)}, min cosine ${minCos.toFixed(7)}`);
        expect(minCos).toBeGreaterThan(0.999);
        expect(maxAbs).toBeLessThan(o === 'probabilities' ? 1e-4 : 1e-3);
      }
      tf.dispose(Object.values(res));
    }
    // apply() keeps no intermediate tensors alive across calls.
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('trainable TF.js backbone', () => {
  beforeAll(() => initTf());

  it('holds every conv weight and bias as a tf.Variable and releases them on dispose', async () => {
    const { ir } = await loadBackbone('mobilenet_v1_1.0_224_quant_embedding');
    const before = tf.memory().numTensors;
    const model = buildTfjsBackbone(ir, { trainable: true });
    const convs = ir.ops.filter((op) => op.type === 'conv' || op.type === 'depthwise').length;
    expect(convs).toBe(27);
    expect(model.variables).toHaveLength(2 * convs);
    expect(model.variables.every((v) => v.trainable)).toBe(true);
    const x = tf.zeros([1, 64, 64, 3]) as tf.Tensor4D;
    const out = model.apply(x, ['pool_conv_13']);
    expect(out.pool_conv_13.shape).toEqual([1, 1024]);
    tf.dispose([x, out.pool_conv_13]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
