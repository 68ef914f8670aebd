import { coalescePredictions } from './coalescing-classifier';
import type { LoadedClassifier } from './prediction-service';

/**
 * A classifier double that records each pass and answers when told: what the coalescer does between passes is the
 * subject here (the real model's answers through it are compared in test/api/coalesced-predictions.test.ts).
 */
function recordingClassifier() {
  const passes: string[][] = [];
  const pending: Array<() => void> = [];
  const inner: LoadedClassifier = {
    classes: ['a', 'b'],
    predict: (images) => {
      const names = images.map((b) => b.toString());
      passes.push(names);
      return new Promise((resolve, reject) =>
        pending.push(() => {
          if (names.includes('broken') && names.length > 1) return reject(new Error('batch failed'));
          if (names.includes('broken')) return reject(new Error('broken does not decode'));
          resolve(names.map((n) => ({ prediction: [{ label: n, probability: 1 }], outOfDistribution: false, oodScore: 0 })));
        }),
      );
    },
    dispose: () => {},
  };
  const release = async () => {
    while (pending.length) {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { inner, passes, release };
}

const label = async (p: Promise<Array<{ prediction: Array<{ label: string }> }>>) => (await p).map((r) => r.prediction[0]!.label);

describe('coalescePredictions', () => {
  it('answers a lone request at once, and the requests that arrive meanwhile in one next pass', async () => {
    const { inner, passes, release } = recordingClassifier();
    const c = coalescePredictions(inner);
    const first = label(c.predict([Buffer.from('x1')]));
    expect(passes).toEqual([['x1']]);
    const later = ['x2', 'x3', 'x4'].map((n) => label(c.predict([Buffer.from(n)])));
    const pair = label(c.predict([Buffer.from('x5'), Buffer.from('x6')]));
    expect(passes).toEqual([['x1']]); // still one pass: the others wait for it
    await release();
    expect(await first).toEqual(['x1']);
    expect(await Promise.all(later)).toEqual([['x2'], ['x3'], ['x4']]);
    expect(await pair).toEqual(['x5', 'x6']);
    expect(passes).toEqual([['x1'], ['x2', 'x3', 'x4', 'x5', 'x6']]);
  });

  it('never puts more than maxBatch images in one pass', async () => {
    const { inner, passes, release } = recordingClassifier();
    const c = coalescePredictions(inner, 3);
    const all = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => label(c.predict([Buffer.from(n)])));
    await release();
    await Promise.all(all);
    expect(passes).toEqual([['a'], ['b', 'c', 'd'], ['e', 'f', 'g']]);
  });

  it('fails only the request whose image breaks a pass; its batch-mates are answered one by one', async () => {
    const { inner, passes, release } = recordingClassifier();
    const c = coalescePredictions(inner);
    const first = label(c.predict([Buffer.from('ok1')]));
    const good = label(c.predict([Buffer.from('ok2')]));
    const bad = label(c.predict([Buffer.from('broken')])).then(
      () => 'answered',
      (err: Error) => err.message,
    );
    const good2 = label(c.predict([Buffer.from('ok3')]));
    await release();
    expect(await first).toEqual(['ok1']);
    expect(await good).toEqual(['ok2']);
    expect(await bad).toBe('broken does not decode');
    expect(await good2).toEqual(['ok3']);
    expect(passes).toEqual([['ok1'], ['ok2', 'broken', 'ok3'], ['ok2'], ['broken'], ['ok3']]);
  });
});
