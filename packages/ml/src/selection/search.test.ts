import { imageAt, loadFashionMnist, sampleStratified } from '../datasets';
import { DEFAULT_HEAD_CONFIG, type FeatureMatrix } from '../heads';
import { featureHeadCandidate, type ImageFeatureSet, searchCandidates, type SelectionCandidate } from './index';

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

  it('scores every candidate out-of-fold, picks the best, and is reproducible', async () => {
    const a = await searchCandidates(cands(), { labels, numClasses: 10, seed: 3, folds: 4, budgetSeconds: 600, maxEnsemble: 2, ensemble: 'greedy' });
    expect(a.k).toBe(4);
    expect(a.results).toHaveLength(2);
    for (const r of a.results) {
      expect(r.cvAccuracy).toBeGreaterThan(0.5);
      expect(r.oof.length).toBe(labels.length * 10);
    }
    const best = Math.max(...a.results.map((r) => r.cvAccuracy));
    expect(a.chosenAccuracy).toBeGreaterThanOrEqual(best);
    const b = await searchCandidates(cands(), { labels, numClasses: 10, seed: 3, folds: 4, budgetSeconds: 600, maxEnsemble: 2, ensemble: 'greedy' });
    expect(b.chosen).toEqual(a.chosen);
    expect(Array.from(b.chosenOof)).toEqual(Array.from(a.chosenOof));
  });

  it('always evaluates the first candidate but skips the rest when the budget is spent', async () => {
    const r = await searchCandidates(cands(), { labels, numClasses: 10, seed: 3, folds: 3, budgetSeconds: 0.001, maxEnsemble: 1 });
    expect(r.results.map((x) => x.name)).toEqual([cands()[0].name]);
    expect(r.skipped).toEqual([cands()[1].name]);
  });

  it('skips up front a candidate whose own estimate does not fit the remaining budget, and asks it for the fold count', async () => {
    const [cheap, second] = cands();
    let started = false;
    let askedK = 0;
    const costly: SelectionCandidate = {
      name: 'costly', describe: () => ({}),
      estimateSeconds: (k) => ((askedK = k), 1e4),
      crossValidate: async (ctx) => ((started = true), second.crossValidate(ctx)),
    };
    const r = await searchCandidates([cheap, costly, second], { labels, numClasses: 10, seed: 3, folds: 3, budgetSeconds: 600, maxEnsemble: 1 });
    expect(started).toBe(false);
    expect(askedK).toBe(3);
    expect(r.skipped).toEqual(['costly']);
    expect(r.results.map((x) => x.name)).toEqual([cheap.name, second.name]);
  });

  it('starts alongside candidates first, reports them in candidate order, and stops one that overruns the budget', async () => {
    const [cheap, second] = cands();
    const events: string[] = [];
    // An alongside candidate whose folds arrive later (as from a child process), through the real fold callback.
    const alongside = (name: string, foldDelayMs: number): SelectionCandidate => ({
      name, describe: () => ({}), alongside: true,
      crossValidate: async (ctx) => {
        events.push(`start ${name}`);
        const oof = await second.crossValidate({ ...ctx, onFold: undefined });
        for (let f = 0; f < ctx.k; f++) {
          await new Promise((r) => setTimeout(r, foldDelayMs));
          ctx.onFold?.(f);
        }
        events.push(`done ${name}`);
        return oof;
      },
    });
    const traced = (c: SelectionCandidate): SelectionCandidate => ({ ...c, crossValidate: async (ctx) => (events.push(`start ${c.name}`), c.crossValidate(ctx)) });
    const r = await searchCandidates([traced(cheap), alongside('slow-ok', 10)], { labels, numClasses: 10, seed: 3, folds: 3, budgetSeconds: 600, maxEnsemble: 1 });
    expect(events.slice(0, 2)).toEqual(['start slow-ok', `start ${cheap.name}`]);
    expect(r.results.map((x) => x.name)).toEqual([cheap.name, 'slow-ok']);
    const ref = await searchCandidates([cheap, second], { labels, numClasses: 10, seed: 3, folds: 3, budgetSeconds: 600, maxEnsemble: 1 });
    expect(Array.from(r.results[1].oof)).toEqual(Array.from(ref.results[1].oof));
    // With a budget it cannot meet, it is stopped after a fold and reported as skipped; the others stand.
    let clock = 0;
    const over = await searchCandidates([cheap, alongside('too-slow', 1)], {
      labels, numClasses: 10, seed: 3, folds: 3, budgetSeconds: 10, maxEnsemble: 1, now: () => (clock += 4),
    });
    expect(over.skipped).toEqual(['too-slow']);
    expect(over.results.map((x) => x.name)).toEqual([cheap.name]);
  });

  it("'near-best' averages exactly the candidates within the margin of the best, best first", async () => {
    const three = [...cands(), featureHeadCandidate({ featureSet: 'pixels28', head: { ...lr, l2: 3 }, trainViews: 1, ttaViews: 1 }, set, labels, 10)];
    const wide = await searchCandidates(three, { labels, numClasses: 10, seed: 3, folds: 4, budgetSeconds: 600, maxEnsemble: 10, ensemble: 'near-best', nearBestMargin: 1 });
    const byAcc = [...wide.results].sort((x, y) => y.cvAccuracy - x.cvAccuracy || x.cvLogLoss - y.cvLogLoss);
    expect(wide.chosen).toEqual(byAcc.map((r) => r.name));
    const mean = new Float32Array(wide.chosenOof.length);
    for (const r of wide.results) for (let i = 0; i < mean.length; i++) mean[i] += r.oof[i] / 3;
    wide.chosenOof.forEach((v, i) => expect(v).toBeCloseTo(mean[i], 6));
    // A margin of zero keeps only the best (and candidates tied with it).
    const tight = await searchCandidates(three, { labels, numClasses: 10, seed: 3, folds: 4, budgetSeconds: 600, maxEnsemble: 10, ensemble: 'near-best', nearBestMargin: 0 });
    expect(tight.chosen).toEqual(byAcc.filter((r) => r.cvAccuracy === byAcc[0].cvAccuracy).map((r) => r.name));
    const capped = await searchCandidates(three, { labels, numClasses: 10, seed: 3, folds: 4, budgetSeconds: 600, maxEnsemble: 2, ensemble: 'near-best', nearBestMargin: 1 });
    expect(capped.chosen).toEqual(byAcc.slice(0, 2).map((r) => r.name));
  });
});
