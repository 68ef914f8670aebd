/** @jest-environment ./packages/ml/src/onnx/jest-ort-environment.js */
import { createEmbedder } from '../embeddings/create-embedder';
import { createOnnxRunner } from '../onnx/onnx-session';
import { preprocessImage } from '../preprocess/preprocess-image';
import { stackBatch } from '../preprocess/normalize';
import { getBackboneSpec } from './catalog';
import { backboneOnnx, loadBackbone, loadBackboneLabels } from './load-backbone';
import { readSampleImages } from './test-samples';

/** Acceptable ImageNet labels per photo (first comma-separated synonym of imagenet_labels.txt). */
const EXPECTED: Record<string, string[]> = {
  'parrot.jpg': ['macaw'],
  'hot_dog.jpg': ['hotdog'],
  'cat_720p.jpg': ['Egyptian cat', 'tabby', 'tiger cat'],
  'pets.jpg': ['Italian greyhound', 'Boston bull', 'whippet'],
  // A burrowing owl: ImageNet's only owl class is the great grey owl; MobileNetV2 says "ruffed grouse" (~0.7),
  // MobileNet-EdgeTPU "kite" (~0.4, great grey owl second).
  'owl.jpg': ['great grey owl'],
};

describe.each(['mobilenet_v2_1.0_224_quant', 'mobilenet_edgetpu_224_1.0_uint8'])('imported %s classifies real photos (ONNX, 224x224)', (name) => {
  it('gets at least 4 of 5 sample photos right, parrot -> macaw and hot dog -> hotdog', async () => {
    const labels = await loadBackboneLabels(name);
    expect(labels).toHaveLength(1001);
    expect(labels[0]).toBe('background');
    const samples = readSampleImages();
    expect(samples.map((s) => s.name)).toEqual(Object.keys(EXPECTED).sort());
    const runner = await createOnnxRunner(await backboneOnnx(name, ['probabilities']));
    try {
      const { normalization } = getBackboneSpec(name);
      const imgs = await Promise.all(samples.map((s) => preprocessImage(s.bytes, { size: 224, normalization })));
      const batch = stackBatch(imgs);
      const probs = (await runner.run(batch.data, batch.shape)).probabilities.data;
      const top1: Record<string, string> = {};
      samples.forEach((s, i) => {
        const p = probs.subarray(i * 1001, (i + 1) * 1001);
        let best = 0;
        for (let k = 1; k < 1001; k++) if (p[k] > p[best]) best = k;
        top1[s.name] = labels[best].split(',')[0];
        // Softmax output: a distribution per image.
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      });
      const correct = samples.filter((s) => EXPECTED[s.name].includes(top1[s.name])).map((s) => s.name);
      expect(top1['parrot.jpg']).toBe('macaw');
      expect(top1['hot_dog.jpg']).toBe('hotdog');
      expect(correct.length).toBeGreaterThanOrEqual(4);
    } finally {
      await runner.release();
    }
  });
});

describe('named layers', () => {
  it('lists MobileNetV2 and v1 layers with their reference shapes', async () => {
    const { layers } = await loadBackbone('mobilenet_v2_1.0_224_quant');
    const shape = (n: string) => layers.find((l) => l.name === n)?.shape;
    expect(layers.map((l) => l.name)).toEqual([
      'conv_stem', ...Array.from({ length: 17 }, (_, i) => `block_${i}`), 'conv_1', 'logits', 'probabilities',
    ]);
    expect(shape('block_13')).toEqual([1, 7, 7, 160]);
    expect(shape('block_16')).toEqual([1, 7, 7, 320]);
    expect(shape('conv_1')).toEqual([1, 7, 7, 1280]);
    const v1 = await loadBackbone('mobilenet_v1_1.0_224_quant_embedding');
    expect(v1.layers.map((l) => l.name)).toEqual([...Array.from({ length: 14 }, (_, i) => `conv_${i}`), 'avgpool']);
    expect(v1.layers.find((l) => l.name === 'conv_13')?.shape).toEqual([1, 7, 7, 1024]);
  });

  it('lists MobileNet-EdgeTPU layers: conv_stem, block_0..21, conv_1, logits, probabilities', async () => {
    const { layers } = await loadBackbone('mobilenet_edgetpu_224_1.0_uint8');
    expect(layers.map((l) => l.name)).toEqual([
      'conv_stem', ...Array.from({ length: 22 }, (_, i) => `block_${i}`), 'conv_1', 'logits', 'probabilities',
    ]);
    const shape = (n: string) => layers.find((l) => l.name === n)?.shape;
    // Stage ends: 16@112, 32@56, 48@28, 96@14, 160@7, 192@7, then the 1280-d map.
    expect([0, 4, 8, 16, 20, 21].map((b) => shape(`block_${b}`))).toEqual([
      [1, 112, 112, 16], [1, 56, 56, 32], [1, 28, 28, 48], [1, 14, 14, 96], [1, 7, 7, 160], [1, 7, 7, 192],
    ]);
    expect(shape('conv_1')).toEqual([1, 7, 7, 1280]);
  });

  it('embeds by name through createEmbedder: pooled layers concatenated, equal to the ONNX outputs', async () => {
    const name = 'mobilenet_edgetpu_224_1.0_uint8';
    const layers = ['pool_block_8', 'pool_conv_1'];
    const embedder = await createEmbedder({ backbone: name, layers, inputSize: 96 });
    const runner = await createOnnxRunner(await backboneOnnx(name, layers));
    try {
      expect(embedder.layerDims).toEqual([48, 1280]);
      const bytes = readSampleImages().map((s) => s.bytes);
      const vectors = await embedder.embed(bytes);
      const imgs = await Promise.all(bytes.map((b) => preprocessImage(b, { size: 96, normalization: getBackboneSpec(name).normalization })));
      const batch = stackBatch(imgs);
      const direct = await runner.run(batch.data, batch.shape);
      // Two graphs (one with a Concat output) may be optimised differently by onnxruntime: equal up to float rounding.
      let maxDiff = 0;
      vectors.forEach((v, i) => {
        expect(v).toHaveLength(48 + 1280);
        const expected = [...direct.pool_block_8.data.subarray(i * 48, (i + 1) * 48), ...direct.pool_conv_1.data.subarray(i * 1280, (i + 1) * 1280)];
        expected.forEach((e, j) => (maxDiff = Math.max(maxDiff, Math.abs(e - v[j]))));
      });
      expect(maxDiff).toBeLessThan(1e-5);
    } finally {
      await Promise.all([embedder.close(), runner.release()]);
    }
  });
});
