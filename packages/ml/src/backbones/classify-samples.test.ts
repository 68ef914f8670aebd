/** @jest-environment ./packages/ml/src/onnx/jest-ort-environment.js */
import { createOnnxRunner } from '../onnx/onnx-session';
import { preprocessImage } from '../preprocess/preprocess-image';
import { stackBatch } from '../preprocess/normalize';
import { backboneOnnx, loadBackbone, loadBackboneLabels } from './load-backbone';
import { readSampleImages } from './test-samples';

const NAME = 'mobilenet_v2_1.0_224_quant';

/** Acceptable ImageNet labels per photo (first comma-separated synonym of imagenet_labels.txt). */
const EXPECTED: Record<string, string[]> = {
  'parrot.jpg': ['macaw'],
  'hot_dog.jpg': ['hotdog'],
  'cat_720p.jpg': ['Egyptian cat', 'tabby', 'tiger cat'],
  'pets.jpg': ['Italian greyhound', 'Boston bull', 'whippet'],
  // A burrowing owl: ImageNet's only owl class is the great grey owl; this model says "ruffed grouse" (~0.7).
  'owl.jpg': ['great grey owl'],
};

describe('imported MobileNetV2 classifies real photos (ONNX, 224x224)', () => {
  it('gets at least 4 of 5 sample photos right, parrot -> macaw and hot dog -> hotdog', async () => {
    const labels = await loadBackboneLabels(NAME);
    expect(labels).toHaveLength(1001);
    expect(labels[0]).toBe('background');
    const samples = readSampleImages();
    expect(samples.map((s) => s.name)).toEqual(Object.keys(EXPECTED).sort());
    const runner = await createOnnxRunner(await backboneOnnx(NAME, ['probabilities']));
    try {
      const imgs = await Promise.all(samples.map((s) => preprocessImage(s.bytes, { size: 224 })));
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

  it('lists named layers with their reference shapes', async () => {
    const { layers } = await loadBackbone(NAME);
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
});
