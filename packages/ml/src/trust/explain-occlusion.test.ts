/** @jest-environment ./packages/ml/src/onnx/jest-ort-environment.js */
import sharp from 'sharp';
import { createRng } from '../random';
import { DEFAULT_HEAD_CONFIG } from '../heads/types';
import { trainClassifier } from '../pipeline';
import { loadClassifier, type LoadedClassifier } from '../prediction';

const SIZE = 64;
const MARK = 20;
type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';
const CORNERS: Corner[] = ['top-left', 'top-right', 'bottom-left', 'bottom-right'];

/**
 * A synthetic case where the answer is known: a dim noisy background and one class mark — horizontal or vertical
 * stripes, the class — in one corner. Everything that tells the classes apart is inside the mark.
 */
function markedImage(cls: 'horizontal' | 'vertical', corner: Corner, seed: number): Promise<Buffer> {
  const rng = createRng(seed);
  const px = new Uint8Array(SIZE * SIZE);
  for (let i = 0; i < px.length; i++) px[i] = 40 + Math.floor(rng.next() * 40);
  const x0 = corner.endsWith('left') ? 4 : SIZE - MARK - 4;
  const y0 = corner.startsWith('top') ? 4 : SIZE - MARK - 4;
  for (let y = 0; y < MARK; y++) {
    for (let x = 0; x < MARK; x++) {
      const stripe = cls === 'horizontal' ? Math.floor(y / 4) % 2 : Math.floor(x / 4) % 2;
      px[(y0 + y) * SIZE + x0 + x] = stripe ? 250 : 10;
    }
  }
  return sharp(px, { raw: { width: SIZE, height: SIZE, channels: 1 } }).png().toBuffer();
}

/** The grid cell with the largest value, as (row, col). */
function peak(values: number[], cols: number): [number, number] {
  const i = values.indexOf(Math.max(...values));
  return [Math.floor(i / cols), i % cols];
}

describe('occlusion heat maps', () => {
  let clf: LoadedClassifier;

  beforeAll(async () => {
    const images = [];
    for (let i = 0; i < 24; i++) {
      const cls = i % 2 ? 'vertical' : 'horizontal';
      images.push({ id: `${cls}-${i}`, sha256: `${cls}-${i}`, label: cls, bytes: await markedImage(cls, CORNERS[Math.floor(i / 2) % 4], 100 + i) });
    }
    const lr = { ...DEFAULT_HEAD_CONFIG, kind: 'logistic' as const, learningRate: 1e-2, batchSize: 512, epochs: 25, patience: 0, validationFraction: 0, labelSmoothing: 0, l2: 1e-2 };
    const result = await trainClassifier({
      images,
      classes: ['horizontal', 'vertical'],
      seed: 3,
      settings: { folds: 3, featureSets: [{ name: 'v2@96:b6+9', backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 96, layers: ['pool_block_6', 'pool_block_9'] }], heads: [lr], cnnCandidates: [], finetunes: [] },
    });
    expect(result.report.accuracy).toBeGreaterThan(0.9);
    clf = await loadClassifier(result.artifact);
  }, 300_000);

  afterAll(() => clf?.dispose());

  it('points at the class mark, wherever it is: the map follows the image', async () => {
    const maps: number[][] = [];
    for (const [i, corner] of CORNERS.entries()) {
      const cls = i % 2 ? 'vertical' : 'horizontal';
      const e = await clf.explain(await markedImage(cls, corner, 900 + i));
      expect(e.method).toBe('occlusion');
      expect(e.label).toBe(cls);
      expect(e.grid.rows).toBe(8);
      expect(e.grid.values).toHaveLength(64);
      const [r, c] = peak(e.grid.values, e.grid.cols);
      // The mark covers cells 0-2 (or 5-7) of its corner: the peak must be in that corner's quadrant.
      expect(r < 4).toBe(corner.startsWith('top'));
      expect(c < 4).toBe(corner.endsWith('left'));
      // The mark's quadrant matters more, on average, than each of the other three.
      const quadrant = (top: boolean, left: boolean) => {
        const cells = e.grid.values.filter((_, i) => Math.floor(i / 8) < 4 === top && i % 8 < 4 === left);
        return cells.reduce((a, b) => a + b, 0) / cells.length;
      };
      const own = quadrant(corner.startsWith('top'), corner.endsWith('left'));
      for (const top of [true, false]) for (const left of [true, false]) {
        if (top !== corner.startsWith('top') || left !== corner.endsWith('left')) expect(own).toBeGreaterThan(quadrant(top, left));
      }
      maps.push(e.grid.values);

      // The overlay is a PNG of the image enlarged to 224 px, red where the map is high.
      const png = Buffer.from(e.overlay.replace(/^data:image\/png;base64,/, ''), 'base64');
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.format]).toEqual([224, 224, 'raw']);
      const at = (x: number, y: number) => data[(y * info.width + x) * info.channels];
      const hot = [corner.endsWith('left') ? 40 : 184, corner.startsWith('top') ? 40 : 184] as const;
      const cold = [corner.endsWith('left') ? 200 : 24, corner.startsWith('top') ? 200 : 24] as const;
      expect(at(...hot) - data[(hot[1] * info.width + hot[0]) * info.channels + 2]).toBeGreaterThan(at(...cold) - data[(cold[1] * info.width + cold[0]) * info.channels + 2]);
    }
    expect(maps[0]).not.toEqual(maps[3]);
  }, 300_000);

  it('explains a class other than the predicted one on request, and refuses an unknown one', async () => {
    const img = await markedImage('horizontal', 'top-left', 7);
    const other = await clf.explain(img, { label: 'vertical' });
    expect(other.label).toBe('vertical');
    expect(other.probability).toBeLessThan(0.5);
    await expect(clf.explain(img, { label: 'diagonal' })).rejects.toThrow(/unknown class/);
  }, 120_000);
});
