import { FASHION_MNIST_CLASSES, imageAt, loadFashionMnist, parseIdx, sampleStratified } from './index';

describe('Fashion-MNIST idx loader', () => {
  const test = loadFashionMnist('test');

  it('reads the official test split: 10,000 28x28 images, 1,000 per class', () => {
    expect(test).toMatchObject({ count: 10000, width: 28, height: 28 });
    expect(test.pixels.length).toBe(10000 * 784);
    const counts = new Array(10).fill(0);
    test.labels.forEach((l) => counts[l]++);
    expect(counts).toEqual(new Array(10).fill(1000));
    expect(FASHION_MNIST_CLASSES).toHaveLength(10);
    // First official test image is an ankle boot (label 9), with a non-empty foreground.
    expect(test.labels[0]).toBe(9);
    expect(Math.max(...imageAt(test, 0))).toBeGreaterThan(200);
  });

  it('rejects bytes that are not idx', () => {
    expect(() => parseIdx(Buffer.from([1, 2, 3, 4, 5]))).toThrow(/magic/);
  });

  it('samples N per class, reproducibly per seed', () => {
    const a = sampleStratified(test.labels, 7, 1);
    const b = sampleStratified(test.labels, 7, 1);
    const c = sampleStratified(test.labels, 7, 2);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a).size).toBe(70);
    const counts = new Array(10).fill(0);
    a.forEach((i) => counts[test.labels[i]]++);
    expect(counts).toEqual(new Array(10).fill(7));
  });
});
