import { scorePredictions } from './index';

describe('scorePredictions', () => {
  // 3 classes, 6 images; hand-computed expectations.
  const classes = ['a', 'b', 'c'];
  const labels = [0, 0, 1, 1, 2, 2];
  const probabilities = Float32Array.from([
    0.9, 0.05, 0.05, // a -> a
    0.3, 0.6, 0.1, // a -> b (mistake)
    0.1, 0.8, 0.1, // b -> b
    0.2, 0.7, 0.1, // b -> b
    0.1, 0.1, 0.8, // c -> c
    0.15, 0.7, 0.15, // c -> b (mistake)
  ]);
  const ids = ['i0', 'i1', 'i2', 'i3', 'i4', 'i5'];
  const m = scorePredictions({ classes, labels, probabilities, ids, calibrationBins: 5 });

  it('counts accuracy, the confusion matrix and the ids of mistakes', () => {
    expect(m.accuracy).toBeCloseTo(4 / 6);
    expect(m.confusionMatrix).toEqual([[1, 1, 0], [0, 2, 0], [0, 1, 1]]);
    expect(m.misclassified).toEqual([
      { actual: 'a', predicted: 'b', count: 1, imageIds: ['i1'] },
      { actual: 'c', predicted: 'b', count: 1, imageIds: ['i5'] },
    ]);
  });

  it('computes per-class precision/recall/F1 and macro-F1', () => {
    const [a, b, c] = m.perClass;
    expect(a).toMatchObject({ precision: 1, recall: 0.5, support: 2 });
    expect(b.precision).toBeCloseTo(0.5);
    expect(b.recall).toBe(1);
    expect(b.f1).toBeCloseTo(2 / 3);
    expect(c.f1).toBeCloseTo(2 / 3);
    expect(m.macroF1).toBeCloseTo((2 / 3) * 3 / 3);
  });

  it('bins confidences and computes the expected calibration error', () => {
    // Bins of width 0.2: 0.6 -> [0.6,0.8): confs 0.6 (miss), 0.7 (hit), 0.7 (miss); [0.8,1]: 0.9, 0.8, 0.8 (all hits).
    const [, , , b3, b4] = m.calibration.bins;
    expect(b3).toMatchObject({ count: 3 });
    expect(b3.meanConfidence).toBeCloseTo(2 / 3);
    expect(b3.accuracy).toBeCloseTo(1 / 3);
    expect(b4.count).toBe(3);
    expect(b4.accuracy).toBe(1);
    const ece = (3 / 6) * Math.abs(1 / 3 - 2 / 3) + (3 / 6) * Math.abs(1 - (0.9 + 0.8 + 0.8) / 3);
    expect(m.calibration.ece).toBeCloseTo(ece, 5);
  });

  it('rejects inconsistent input', () => {
    expect(() => scorePredictions({ classes, labels, probabilities: new Float32Array(3), ids })).toThrow();
  });
});
