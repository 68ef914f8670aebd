import { type EvaluationReport } from '../evaluation/report';
import { scorePredictions } from '../evaluation/metrics';
import { deriveSeed } from '../heads/random';
import { embedInputsToCnnBatch } from '../cnn';
import { type ArtifactFeatureSet, type ArtifactMember, type ClassifierArtifact, cnnToMember, headToMember, putTensor } from '../prediction/artifact';
import { centroidScores, fitCentroids, percentile } from '../prediction/ood';
import { cnnCandidateAlongside, type AlongsideCnnCandidate } from '../selection/cnn-alongside';
import { cnnCandidate, cnnRecipeName, fitCnnMember, type CnnImages, type CnnRecipe } from '../selection/cnn-candidate';
import { featureHeadCandidate, fitFeatureHead, recipeName, type FeatureHeadRecipe } from '../selection/feature-head-candidate';
import { searchCandidates } from '../selection/search';
import { initTf } from '../tf/backend';
import { extractFeatureSets, layersOf, trainingViews } from './extract-features';
import { loadTrainingImages, requireImagesPerClass, skippedMessage } from './load-images';
import { defaultCnnCandidates, defaultFeatureSets, defaultHeads, orderCandidates, resolveSettings } from './settings';
import type { TrainClassifierInput, TrainClassifierResult, TrainPhase } from './types';

type Recipe = { kind: 'head'; name: string; recipe: FeatureHeadRecipe } | { kind: 'cnn'; name: string; recipe: CnnRecipe };

/** Where each phase sits in the overall progress fraction (rough shares of a default run's time). */
const PHASES: Record<TrainPhase, [number, number]> = {
  loading: [0, 0.03],
  embedding: [0.03, 0.3],
  searching: [0.3, 0.88],
  training: [0.88, 0.98],
  evaluating: [0.98, 1],
};

/**
 * Trains a classifier end to end: embeds the images with frozen backbones (cached), cross-validates candidate
 * (feature set x head x hyper-parameter) recipes on the uploaded images only, retrains the winner on all of them,
 * and returns a storable artifact plus an honest (out-of-fold) evaluation report.
 */
export async function trainClassifier(input: TrainClassifierInput): Promise<TrainClassifierResult> {
  const t0 = performance.now();
  const secs = (since: number) => (performance.now() - since) / 1000;
  const settings = resolveSettings(input.settings);
  const { classes, seed, signal } = input;
  let lastFraction = 0;
  const report = (phase: TrainPhase, local: number, extra: Omit<Parameters<NonNullable<TrainClassifierInput['onProgress']>>[0], 'phase' | 'fraction'> = {}) => {
    if (!input.onProgress) return;
    const [a, b] = PHASES[phase];
    // Never moves backwards (the search's share is estimated from its time budget).
    const fraction = Math.max(lastFraction, a + (b - a) * Math.min(1, Math.max(0, local)));
    lastFraction = fraction;
    const elapsed = secs(t0);
    input.onProgress({ phase, fraction, etaSeconds: fraction > 0.02 ? Math.round((elapsed / fraction) * (1 - fraction)) : undefined, ...extra });
  };
  const checkAbort = () => {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  };

  // Labels -> indices; every class needs at least two images for cross-validation (checked again once loaded).
  if (new Set(classes).size !== classes.length) throw new Error('duplicate class names');
  if (classes.length < 2) throw new Error('at least two classes are needed');
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const labelsOf = (images: readonly { id: string; label: string }[]) =>
    Int32Array.from(images, (img) => {
      const k = classIndex.get(img.label);
      if (k === undefined) throw new Error(`image ${img.id} has label "${img.label}", which is not one of the classes`);
      return k;
    });
  const minPerClass = Math.max(2, input.minImagesPerClass ?? 2);
  requireImagesPerClass(classes, labelsOf(input.images), minPerClass);
  await initTf();

  // 1. Load, decoding each image once: an unreadable one is left out and named, and the run goes on without it.
  report('loading', 0);
  const tLoad = performance.now();
  const { images, inputs, skipped: skippedImages } = await loadTrainingImages(input.images, {
    limits: input.imageLimits,
    checkAbort,
    onLoaded: (n) => {
      if (n % 50 === 0) report('loading', n / input.images.length);
    },
  });
  const labels = labelsOf(images);
  requireImagesPerClass(classes, labels, minPerClass, skippedImages);
  if (skippedImages.length) report('loading', 1, { message: skippedMessage(skippedImages) });
  const loadingSeconds = secs(tLoad);

  // 2. Embed every view once per feature group.
  const backbone = settings.architecture.startsWith('transfer:') ? settings.architecture.slice('transfer:'.length) : undefined;
  const specs = settings.featureSets ?? defaultFeatureSets(backbone);
  const heads = settings.heads ?? defaultHeads();
  const ttaViews = settings.flipTta ? 2 : 1;
  const views = trainingViews(Math.max(settings.trainViews, ttaViews), deriveSeed(seed, 'augment') % 1_000_000);
  const tEmbed = performance.now();
  report('embedding', 0, { message: `${specs.length} feature sets x ${views.length} views` });
  const sets = await extractFeatureSets(inputs, specs, views, {
    cache: input.cache,
    threads: settings.threads,
    signal,
    onProgress: (done, total) => report('embedding', done / total),
  });
  const embeddingSeconds = secs(tEmbed);
  checkAbort();

  // The tutorial CNNs see the images themselves (28x28 greyscale), not backbone features.
  const cnnRecipes = settings.cnnCandidates ?? (backbone === undefined ? defaultCnnCandidates() : []);
  let cnnPixels: Promise<Float32Array> | undefined;
  const cnnImages: CnnImages = () => (cnnPixels ??= embedInputsToCnnBatch(inputs));

  // 3. Cross-validated search: logistic heads (cheap, strong) first, then the CNNs, then the other heads.
  const headRecipes: Recipe[] = orderCandidates(specs, heads).map(({ featureSet, head }) => {
    const recipe: FeatureHeadRecipe = { featureSet: featureSet.name, head, trainViews: settings.trainViews, ttaViews };
    return { kind: 'head', name: recipeName(recipe), recipe };
  });
  const isLogistic = (r: Recipe) => r.kind === 'head' && r.recipe.head.kind === 'logistic';
  const recipes: Recipe[] = [
    ...headRecipes.filter(isLogistic),
    ...cnnRecipes.map((recipe): Recipe => ({ kind: 'cnn', name: cnnRecipeName(recipe), recipe })),
    ...headRecipes.filter((r) => !isLogistic(r)),
  ];
  const finalSeed = (name: string) => deriveSeed(seed, `final:${name}`);
  const alongside = new Map<string, AlongsideCnnCandidate>();
  const candidates = recipes.map((r) => {
    if (r.kind === 'head') return featureHeadCandidate(r.recipe, sets.get(r.recipe.featureSet)!, labels, classes.length);
    if (!settings.cnnAlongside) return cnnCandidate(r.recipe, cnnImages, labels, classes.length);
    const cand = cnnCandidateAlongside(r.recipe, cnnImages, labels, classes.length, finalSeed(r.name));
    alongside.set(r.name, cand);
    return cand;
  });
  try {
    return await searchAndFit();
  } finally {
    // No child outlives the run, whether it succeeded or failed.
    for (const cand of alongside.values()) cand.dispose();
  }

  async function searchAndFit(): Promise<TrainClassifierResult> {
    const recipeByName = new Map(recipes.map((r) => [r.name, r]));
    const tSearch = performance.now();
    const search = await searchCandidates(candidates, {
      labels,
      numClasses: classes.length,
      seed,
      folds: settings.folds,
      budgetSeconds: settings.searchBudgetSeconds,
      maxEnsemble: settings.maxEnsemble,
      ensemble: settings.ensemble,
      signal,
      onFold: ({ candidate, fold, k }) => report('searching', Math.min(1, (secs(tSearch) + 1e-3) / settings.searchBudgetSeconds), { candidate, message: `fold ${fold + 1}/${k}` }),
      onCandidate: ({ name, phase, result }) => report('searching', secs(tSearch) / settings.searchBudgetSeconds, { candidate: name, message: phase === 'done' ? `cv accuracy ${(result!.cvAccuracy * 100).toFixed(1)}%` : phase }),
    });
    const searchSeconds = secs(tSearch);
    // An alongside CNN that was not chosen stops now, leaving its core to the final fits.
    for (const [name, cand] of alongside) if (!search.chosen.includes(name)) cand.dispose();

    // 4. Retrain the chosen member(s) on every image.
    const tFit = performance.now();
    const all = Array.from({ length: labels.length }, (_, i) => i);
    const files: Record<string, Buffer> = {};
    // Alongside CNNs last: their final models have been training in their children since their cross-validation
    // ended, and are collected while the heads fit here.
    const order = search.chosen.map((name, m) => ({ name, m })).sort((a, b) => Number(alongside.has(a.name)) - Number(alongside.has(b.name)));
    const fitted: Array<{ member: ArtifactMember; curve: EvaluationReport['curves'][number] }> = [];
    for (const { name, m } of order) {
      const r = recipeByName.get(name)!;
      const memberSeed = finalSeed(name);
      if (r.kind === 'head') {
        const epochs = r.recipe.head.epochs;
        const head = await fitFeatureHead(r.recipe, sets.get(r.recipe.featureSet)!, labels, all, classes.length, memberSeed, {
          signal,
          onEpoch: (e) => report('training', (m + e.epoch / epochs) / search.chosen.length, { candidate: name, epoch: e.epoch, epochs }),
        });
        fitted[m] = { member: headToMember(name, r.recipe.featureSet, r.recipe.ttaViews, head, files, `members/${m}`), curve: { member: name, epochs: head.history } };
      } else {
        const epochs = r.recipe.epochs + r.recipe.augEpochs;
        const onEpoch = (e: { epoch: number }) => report('training', (m + e.epoch / epochs) / search.chosen.length, { candidate: name, epoch: e.epoch, epochs });
        const { artifact: cnn, history } = alongside.has(name) ? await alongside.get(name)!.finalModel() : await fitCnnMember(r.recipe, cnnImages, labels, all, classes.length, memberSeed, { signal, onEpoch });
        fitted[m] = {
          member: cnnToMember(name, r.recipe.arch, cnn, files, `members/${m}`),
          curve: { member: name, epochs: history.map((e) => ({ epoch: e.epoch, trainLoss: e.loss, trainAccuracy: e.accuracy })) },
        };
      }
    }
    const members = fitted.map((f) => f.member);
    const curves = fitted.map((f) => f.curve);
    const finalFitSeconds = secs(tFit);

    // 5. Evaluation (out-of-fold) and the OOD threshold, then the artifact.
    report('evaluating', 0);
    const metrics = scorePredictions({ classes, labels, probabilities: search.chosenOof, ids: images.map((i) => i.id) });
    const evaluation: EvaluationReport = { ...metrics, classes, method: 'cross-validation', folds: search.k, curves };

    // The OOD detector lives in a feature space: the first chosen head's, else the best head candidate's.
    const headSet = (name: string) => {
      const r = recipeByName.get(name);
      return r?.kind === 'head' ? r.recipe.featureSet : undefined;
    };
    const bestHead = [...search.results].filter((x) => headSet(x.name)).sort((a, b) => b.cvAccuracy - a.cvAccuracy)[0];
    const oodSet = search.chosen.map(headSet).find((x) => x !== undefined) ?? (bestHead ? headSet(bestHead.name)! : specs[0].name);
    const oodFeatures = sets.get(oodSet)!.views[0];
    const centroids = fitCentroids(oodFeatures, labels, classes.length);
    const threshold = percentile(centroidScores(centroids, oodFeatures), settings.oodPercentile);
    const usedSets = new Set([oodSet, ...members.flatMap((m) => (m.kind === 'head' ? [m.featureSet] : []))]);
    const featureSets: ArtifactFeatureSet[] = specs
      .filter((s) => usedSets.has(s.name))
      .map((s) => ({ name: s.name, backbone: s.backbone, inputSize: s.inputSize, layers: layersOf(s), dim: sets.get(s.name)!.views[0].dim, ...(s.invert ? { invert: true } : {}) }));
    const artifact: ClassifierArtifact = {
      manifest: {
        format: 'tailor.classifier',
        version: 1,
        classes,
        featureSets,
        members,
        ood: {
          featureSet: oodSet,
          method: 'nearest-centroid',
          percentile: settings.oodPercentile,
          threshold,
          tensors: {
            mean: putTensor(files, 'ood/mean.f32', centroids.standardizer.mean, [oodFeatures.dim]),
            std: putTensor(files, 'ood/std.f32', centroids.standardizer.std, [oodFeatures.dim]),
            centroids: putTensor(files, 'ood/centroids.f32', centroids.centroids, [classes.length, oodFeatures.dim]),
          },
        },
        training: { seed, cvAccuracy: search.chosenAccuracy, folds: search.k, trainImages: labels.length },
      },
      files,
    };
    report('evaluating', 1);

    const describe = new Map(search.results.map((r) => [r.name, r.description]));
    return {
      artifact,
      report: evaluation,
      chosen: { members: search.chosen, cvAccuracy: search.chosenAccuracy, description: search.chosen.map((n) => describe.get(n)!) },
      candidates: search.results.map((r) => ({ name: r.name, cvAccuracy: r.cvAccuracy, cvLogLoss: r.cvLogLoss, seconds: r.seconds })),
      skippedCandidates: search.skipped,
      skippedImages,
      timings: { loadingSeconds, embeddingSeconds, searchSeconds, finalFitSeconds, totalSeconds: secs(t0) },
    };
  }
}
