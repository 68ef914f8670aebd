import { compareOutOfFold } from './compare-out-of-fold';

const img = (category: string, filename: string | null = null) => ({ category, filename });

describe('compareOutOfFold', () => {
  const current = new Map([
    ['a', img('Shirt', 'a.jpg')],
    ['b', img('Shirt')],
    ['c', img('Tshirt')],
    ['d', img('Tshirt')],
    ['e', img('Sandal')],
    ['f', img('Sandal')],
  ]);

  it('lists the images fixed, broken or mistaken differently, and counts only images both versions evaluated', () => {
    const from = {
      imageIds: ['a', 'b', 'c', 'd', 'e', 'gone'],
      skippedIds: [],
      misclassified: [
        { actual: 'Shirt', predicted: 'Tshirt', imageIds: ['a'] },
        { actual: 'Tshirt', predicted: 'Shirt', imageIds: ['c', 'd'] },
      ],
    };
    const to = {
      imageIds: ['a', 'b', 'c', 'd', 'e', 'f', 'gone'],
      skippedIds: ['e'],
      misclassified: [
        { actual: 'Shirt', predicted: 'Tshirt', imageIds: ['b'] },
        { actual: 'Tshirt', predicted: 'Sandal', imageIds: ['d'] },
      ],
    };
    const r = compareOutOfFold(from, to, current);
    // 'e' was skipped by `to`, 'f' is only in `to`, 'gone' no longer exists.
    expect(r.compared).toBe(4);
    expect(r.fromEvaluated).toBe(6);
    expect(r.toEvaluated).toBe(6);
    expect(r.changed).toEqual([
      { imageId: 'b', filename: null, category: 'Shirt', change: 'broken', from: { predicted: 'Shirt', correct: true }, to: { predicted: 'Tshirt', correct: false } },
      { imageId: 'a', filename: 'a.jpg', category: 'Shirt', change: 'fixed', from: { predicted: 'Tshirt', correct: false }, to: { predicted: 'Shirt', correct: true } },
      { imageId: 'c', filename: null, category: 'Tshirt', change: 'fixed', from: { predicted: 'Shirt', correct: false }, to: { predicted: 'Tshirt', correct: true } },
      { imageId: 'd', filename: null, category: 'Tshirt', change: 'different-mistake', from: { predicted: 'Shirt', correct: false }, to: { predicted: 'Sandal', correct: false } },
    ]);
    expect(r.fixed).toBe(2);
    expect(r.broken).toBe(1);
  });

  it('finds nothing changed between a version and itself', () => {
    const side = { imageIds: ['a', 'b', 'c'], skippedIds: [], misclassified: [{ actual: 'Shirt', predicted: 'Tshirt', imageIds: ['a'] }] };
    const r = compareOutOfFold(side, side, current);
    expect(r).toMatchObject({ compared: 3, fixed: 0, broken: 0, changed: [] });
  });
});
