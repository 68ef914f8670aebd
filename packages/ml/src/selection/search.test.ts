import { imageAt, loadFashionMnist, sampleStratified } from '../datasets';
import { DEFAULT_HEAD_CONFIG, type FeatureMatrix } from '../heads';
import { chooseEnsemble, featureHeadCandidate, type ImageFeatureSet, scoreOof, searchCandidates, selectionAwareOof, type SelectionCandidate } from './index';

/** 20 per class of real Fashion-MNIST; view 0 = pixels, view 1 = the mirrored pixels. */
function pixelSet(): { set: ImageFeatureSet; labels: Int32Array } {
  const train = loadFashionMnist('train');
  const idx = sampleStratified(train.labels, 20, 5);
  const orig = new Float32Array(idx.length * 784);
  const flip = new Float32Array(idx.length * 784);
  idx.forEach((i, r) => {
    const img = imageAt(train, i);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
      orig[r * 784 + y * 28 + x] = img[y * 28 + x] / 255;
      flip[r * 784 + y * 28 + x] = img[y * 28 + 27 - x] / 255;
    }
  });
  const m = (data: Float32Array): FeatureMatrix => ({ rows: idx.length, dim: 784, data });
  return { set: { name: 'pixels28', views: [m(orig), m(flip)] }, labels: Int32Array.from(idx, (i) => train.labels[i]) };
}

describe('searchCandidates', () => {
  const { set, labels } = pixelSet();
  const lr = { ...DEFAULT_HEAD_CONFIG, kind: 'logistic' as const, epochs: 15, patience: 0, validationFraction: 0, learningRate: 3e-3 };
  const cands = (): SelectionCandidate[] => [
    featureHeadCandidate({ featureSet: 'pixels28', head: lr, trainViews: 1, ttaViews: 1 }, set, labels, 10),
    featureHeadCandidate({ featureSet: 'pixels28', head: { ...lr, l2: 1e-1 }, trainViews: 2, ttaViews: 2 }, set, labels, 10),
  ];
  const greedy = { rule: 'greedy' as const, maxMembers: 2 };

  it('scores every candidate out-of-fold, picks the best, and is reproducible', async () => {
    const a = await searchCandidates(cands(), { labels, numClasses: 10, seed: 3, folds: 4, ensemble: greedy });
    expect(a.k).toBe(4);
    expect(a.results).toHaveLength(2);
    for (const r of a.results) {
      expect(r.cvAccuracy).toBeGreaterThan(0.5);
      expect(r.oof.length).toBe(labels.length * 10);
    }
    const best = Math.max(...a.results.map((r) => r.cvAccuracy));
    expect(a.chosenAccuracy).toBeGreaterThanOrEqual(best);
    const b = await searchCandidates(cands(), { labels, numClasses: 10, seed: 3, folds: 4, ensemble: greedy });
    expect(b.chosen).toEqual(a.chosen);
    expect(Array.from(b.chosenOof)).toEqual(Array.from(a.chosenOof));
    expect(Array.from(b.estimateOof)).toEqual(Array.from(a.estimateOof));
  });

  it('cross-validates a candidate with its own fold count when it asks for one', async () => {
    const [cheap, second] = cands();
    let seenK = 0;
    const own: SelectionCandidate = { ...second, name: 'own-folds', folds: 2, crossValidate: (ctx) => ((seenK = ctx.k), second.crossValidate(ctx)) };
    const r = await searchCandidates([cheap, own], { labels, numClasses: 10, seed: 3, folds: 4, ensemble: greedy });
    expect(seenK).toBe(2);
    expect(r.k).toBe(4);
    expect(r.results.map((x) => [x.name, x.k])).toEqual([[cheap.name, 4], ['own-folds', 2]]);
  });

  it('starts alongside candidates first and reports them in candidate order', async () => {
    const [cheap, second] = cands();
    const events: string[] = [];
    const alongside: SelectionCandidate = {
      name: 'slow', describe: () => ({}), alongside: true,
      crossValidate: async (ctx) => {
        events.push('start slow');
        await new Promise((r) => setTimeout(r, 20));
        return second.crossValidate(ctx);
      },
    };
    const traced: SelectionCandidate = { ...cheap, crossValidate: async (ctx) => (events.push(`start ${cheap.name}`), cheap.crossValidate(ctx)) };
    const r = await searchCandidates([traced, alongside], { labels, numClasses: 10, seed: 3, folds: 3, ensemble: greedy });
    expect(events).toEqual(['start slow', `start ${cheap.name}`]);
    expect(r.results.map((x) => x.name)).toEqual([cheap.name, 'slow']);
  });

  it("'near-best' averages exactly the candidates within the margin of the best, best first", async () => {
    const three = [...cands(), featureHeadCandidate({ featureSet: 'pixels28', head: { ...lr, l2: 3 }, trainViews: 1, ttaViews: 1 }, set, labels, 10)];
    const wide = await searchCandidates(three, { labels, numClasses: 10, seed: 3, folds: 4, ensemble: { rule: 'near-best', maxMembers: 10, margin: 1 } });
    const byAcc = [...wide.results].sort((x, y) => y.cvAccuracy - x.cvAccuracy || x.cvLogLoss - y.cvLogLoss);
    expect(wide.chosen).toEqual(byAcc.map((r) => r.name));
    const mean = new Float32Array(wide.chosenOof.length);
    for (const r of wide.results) for (let i = 0; i < mean.length; i++) mean[i] += r.oof[i] / 3;
    wide.chosenOof.forEach((v, i) => expect(v).toBeCloseTo(mean[i], 6));
    const tight = await searchCandidates(three, { labels, numClasses: 10, seed: 3, folds: 4, ensemble: { rule: 'near-best', maxMembers: 10, margin: 0 } });
    expect(tight.chosen).toEqual(byAcc.filter((r) => r.cvAccuracy === byAcc[0].cvAccuracy).map((r) => r.name));
  });
});

describe('ensemble choice', () => {
  // Six images, two classes; each candidate gives the probability of the right class per image.
  const labels = Int32Array.from([0, 1, 0, 1, 0, 1]);
  const oofOf = (pRight: number[]) => Float32Array.from(Array.from(labels).flatMap((l, i) => (l === 0 ? [pRight[i], 1 - pRight[i]] : [1 - pRight[i], pRight[i]])));
  const scored = (name: string, pRight: number[], group: string, cost: number) => {
    const oof = oofOf(pRight);
    const s = scoreOof(oof, labels, 2);
    return { name, cvAccuracy: s.accuracy, cvLogLoss: s.logLoss, oof, predictCost: { group, cost } };
  };
  // a: right on images 0-3; b and c: sure of images 4-5, slightly wrong elsewhere (b surer than c).
  const a = scored('a', [0.9, 0.9, 0.9, 0.9, 0.4, 0.4], 'g1', 100);
  const b = scored('b', [0.45, 0.45, 0.45, 0.45, 0.99, 0.99], 'g2', 500);
  const c = scored('c', [0.45, 0.45, 0.45, 0.45, 0.9, 0.9], 'g1', 100);

  it('greedy adds members while they help, within the prediction-cost cap (a shared group is paid once)', () => {
    expect(a.cvAccuracy).toBeCloseTo(4 / 6);
    expect(chooseEnsemble([a, b, c], labels, 2, { rule: 'greedy', maxMembers: 3 })).toEqual(['a', 'b']);
    // b's own backbone pass would exceed the cap; c shares a's group, so it costs nothing more.
    expect(chooseEnsemble([a, b, c], labels, 2, { rule: 'greedy', maxMembers: 3, maxPredictCost: 300 })).toEqual(['a', 'c']);
    expect(chooseEnsemble([a, b, c], labels, 2, { rule: 'greedy', maxMembers: 1 })).toEqual(['a']);
  });

  it('the selection-aware estimate scores each fold with a choice made without its labels', () => {
    const folds = Int32Array.from([0, 0, 1, 1, 2, 2]);
    const est = selectionAwareOof([a, b, c], labels, 2, { rule: 'greedy', maxMembers: 1 }, folds, 3);
    // Without fold 2 (images 4-5) a alone is perfect on the rest and is chosen: the estimate sees its misses there.
    expect(Array.from(est.slice(8, 12))).toEqual(Array.from(a.oof.slice(8, 12)));
    // Without fold 0, a and b both score 2/4 on images 2-5; b wins on log-loss and is wrong on images 0-1.
    expect(scoreOof(est, labels, 2).accuracy).toBeLessThan(1);
  });
});
