import { centroidScores, fitCentroids, percentile } from './ood';
import { bufferToF32, f32ToBuffer } from './artifact';

describe('nearest-centroid OOD scores', () => {
  // Two tight clusters in 2-D; a far point must score far above the training points.
  const data = Float32Array.from([0, 0, 0.1, 0, 0, 0.1, 5, 5, 5.1, 5, 5, 5.1]);
  const x = { rows: 6, dim: 2, data };
  const labels = [0, 0, 0, 1, 1, 1];
  const model = fitCentroids(x, labels, 2);

  it('scores training points low and an outlier high', () => {
    const train = centroidScores(model, x);
    const threshold = percentile(train, 99);
    const [far] = centroidScores(model, { rows: 1, dim: 2, data: Float32Array.from([-20, 30]) });
    expect(far).toBeGreaterThan(threshold * 10);
    expect(Math.max(...train)).toBeLessThanOrEqual(threshold + 1e-9);
  });

  it('percentile interpolates between order statistics', () => {
    expect(percentile([3, 1, 2, 4], 0)).toBe(1);
    expect(percentile([3, 1, 2, 4], 100)).toBe(4);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(() => percentile([], 50)).toThrow();
  });

  it('float32 files round-trip exactly, little-endian', () => {
    const v = Float32Array.from([1.5, -0, Math.PI, 3.4e38, -1e-30]);
    const buf = f32ToBuffer(v);
    expect(buf.readFloatLE(0)).toBe(1.5);
    expect(Array.from(bufferToF32(buf))).toEqual(Array.from(v));
    expect(() => bufferToF32(Buffer.alloc(5))).toThrow();
    expect(() => bufferToF32(buf, 4)).toThrow(/expected 4/);
  });
});
