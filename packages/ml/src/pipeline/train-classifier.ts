import { loadBackbone } from '../backbones/load-backbone';
import { INSIGHTS_BUDGET_SHARE, MAX_UNLABELED_RANKED, runInsights, type RunInsights } from '../insights/run-insights';
import { embedInputsToCnnBatch } from '../cnn';
import { type EvaluationReport } from '../evaluation/report';
import { scorePredictions } from '../evaluation/metrics';
import { extractCutActivations, type CutActivations } from '../finetune/cut-activations';
import { createFinetuneRig, finetuneCandidate, fitFinetune, type FinetuneCandidate, type FinetuneRig } from '../finetune/finetune-candidate';
import { activationKey, finetuneRecipeName, type FinetuneRecipe } from '../finetune/finetune-recipe';
import { topSubgraph } from '../finetune/top-subgraph';
import { trainedLayers } from '../finetune/finetuned-backbone';
import type { FeatureMatrix } from '../heads/matrix';
import { deriveSeed } from '../random';
import { profileImages } from '../planning/data-profile';
import { planBackbones, planCandidates, type Plan, type PlanItem } from '../planning/plan';
import { type ArtifactFeatureSet, type ArtifactMember, type ClassifierArtifact, cnnToMember, finetuneToMember, headToMember } from '../prediction/artifact';
import type { OodSpace } from '../trust/choose-ood';
import { fitTrust, type TrustFit } from '../trust/fit-trust';
import { oodToArtifact } from '../trust/ood-detector';
import { planWithUnlabeled, prepareSemiStep } from '../semi/semi-step';
import type { SelectionCandidate } from '../selection/candidate';
import { cnnCandidateAlongside, type AlongsideCnnCandidate } from '../selection/cnn-alongside';
import { cnnCandidate, cnnRecipeName, fitCnnMember, type CnnImages, type CnnRecipe } from '../selection/cnn-candidate';
import { featureHeadCandidate, fitFeatureHead, recipeName, type FeatureHeadRecipe } from '../selection/feature-head-candidate';
import { searchCandidates, type SearchResult } from '../selection/search';
import { initTf } from '../tf/backend';
import type { IrGraph } from '../tflite/ir';
import { checkDataset } from './check-dataset';
import { extractFeatureSets, layersOf, trainingViews } from './extract-features';
import { loadTrainingImages, requireImagesPerClass, skippedMessage } from './load-images';
import { progressReporter, type ReportProgress } from './progress';
import { defaultHeads, resolveSettings } from './settings';
import type { FeatureSetSpec, TrainClassifierInput, TrainClassifierResult, TrainSettings } from './types';

type Recipe =
  | { kind: 'head'; name: string; recipe: FeatureHeadRecipe; predictCost?: PlanItem['predictCost'] }
  | { kind: 'finetune'; name: string; recipe: FinetuneRecipe; folds: number; predictCost?: PlanItem['predictCost'] }
  | { kind: 'cnn'; name: string; recipe: CnnRecipe };

/**
 * Trains a classifier end to end, in named steps: check the dataset, load (decode once, skip unreadable images),
 * plan the candidates from what the images look like and the time budget (a cost model, not the clock), compute
 * frozen features and cut activations, cross-validate every candidate on the uploaded images only, choose the
 * ensemble, fit its members, evaluate with the choice itself cross-validated, and write the artifact.
 */
export async function trainClassifier(input: TrainClassifierInput): Promise<TrainClassifierResult> {
  const t0 = performance.now();
  const secs = (since: number) => (performance.now() - since) / 1000;
  const settings = resolveSettings(input.settings);
  const { classes, seed, signal } = input;
  const report = progressReporter(input.onProgress, t0);
  const checkAbort = () => {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  };
  const minPerClass = Math.max(2, input.minImagesPerClass ?? 2);
  const labelsOf = checkDataset(classes, input.images, minPerClass);
  await initTf();

  // 1. Load, decoding each image once: an unreadable one is left out and named, and the run goes on without it.
  report('loading', 0);
  const tLoad = performance.now();
  const { images, inputs, skipped: skippedImages } = await loadTrainingImages(input.images, {
    limits: input.imageLimits,
    checkAbort,
    onLoaded: (n) => n % 50 === 0 && report('loading', n / input.images.length),
  });
  const labels = labelsOf(images);
  requireImagesPerClass(classes, labels, minPerClass, skippedImages);
  if (skippedImages.length) report('loading', 1, { message: skippedMessage(skippedImages) });
  const loadingSeconds = secs(tLoad);

  // 2. Plan (unlabelled images priced first: they may take up to half the budget).
  const { plan, unlabeled: unlabeledPlan } = await planWithUnlabeled(input.unlabeled?.length ?? 0, settings, classes.length, (s) => makePlan(s, inputs, classes.length));
  const recipes = toRecipes(plan, settings);
  checkAbort();

  // 3. Frozen features for the heads, cut activations for the fine-tuned tops.
  const tEmbed = performance.now();
  const ttaViews = settings.flipTta ? 2 : 1;
  const views = trainingViews(Math.max(settings.trainViews, ttaViews), deriveSeed(seed, 'augment') % 1_000_000);
  const headSpecs = [...plan.specs.values()];
  const finetunes = recipes.filter((r): r is Extract<Recipe, { kind: 'finetune' }> => r.kind === 'finetune');
  const actGroups = uniqueBy(finetunes.map((r) => r.recipe), activationKey);
  const passes = (headSpecs.length ? views.length : 0) * inputs.length + actGroups.reduce((a, r) => a + r.views * inputs.length, 0);
  let passesDone = 0;
  report('embedding', 0, { message: `${headSpecs.length} feature sets x ${views.length} views, ${actGroups.length} fine-tuning inputs` });
  const sets = await extractFeatureSets(inputs, headSpecs, views, {
    cache: input.cache,
    threads: settings.threads,
    signal,
    onProgress: (done) => report('embedding', (passesDone = done) / passes),
  });
  const acts = new Map<string, CutActivations>();
  for (const r of actGroups) {
    const base = passesDone;
    acts.set(activationKey(r), await extractCutActivations(inputs, trainingViews(r.views, deriveSeed(seed, 'augment') % 1_000_000), {
      backbone: r.backbone, cut: r.cut, inputSize: r.inputSize, invert: r.invert, threads: settings.threads, signal,
      onProgress: (done) => report('embedding', (passesDone = base + done) / passes),
    }));
  }
  // Semi-supervised: the unlabelled images' features (the first head recipes' sets) and self-trained twins of those heads.
  const semi = await prepareSemiStep({
    unlabeled: input.unlabeled, labeledSha: new Set(images.map((i) => i.sha256)), plan: unlabeledPlan, specs: headSpecs, sets, views, labels, classes: classes.length, seed,
    heads: recipes.flatMap((r) => (r.kind === 'head' ? [r] : [])), imageLimits: input.imageLimits, cache: input.cache, threads: settings.threads, signal,
    onProgress: (f, message) => report('embedding', 1, { message: `${message}: ${(f * 100).toFixed(0)}%` }),
  });
  for (const t of semi.twins) recipes.push({ kind: 'head', name: t.name, recipe: t.recipe, predictCost: recipes.find((r): r is Extract<Recipe, { kind: 'head' }> => r.kind === 'head' && r.recipe === t.recipe)?.predictCost });
  const embeddingSeconds = secs(tEmbed);
  checkAbort();

  // 4. Candidates.
  let cnnPixels: Promise<Float32Array> | undefined;
  const cnnImages: CnnImages = () => (cnnPixels ??= embedInputsToCnnBatch(inputs));
  const finalSeed = (name: string) => deriveSeed(seed, `final:${name}`);
  const alongside = new Map<string, AlongsideCnnCandidate>();
  const rigs = new Map<string, Promise<FinetuneRig>>();
  const rigFor = (r: FinetuneRecipe) => {
    const key = `${activationKey(r)}..${r.top}`;
    if (!rigs.has(key)) rigs.set(key, createFinetuneRig(r, acts.get(activationKey(r))!, classes.length, settings.threads));
    return rigs.get(key)!;
  };
  const ftCandidates = new Map<string, FinetuneCandidate>();
  const candidates: SelectionCandidate[] = recipes.map((r) => {
    if (r.kind === 'head') return { ...(semi.twins.find((t) => t.name === r.name)?.candidate ?? featureHeadCandidate(r.recipe, sets.get(r.recipe.featureSet)!, labels, classes.length)), predictCost: r.predictCost };
    if (r.kind === 'finetune') {
      const cand = finetuneCandidate(r.recipe, () => rigFor(r.recipe), acts.get(activationKey(r.recipe))!, labels, classes.length, r.folds);
      ftCandidates.set(r.name, cand);
      return { ...cand, predictCost: r.predictCost };
    }
    if (!settings.cnnAlongside) return cnnCandidate(r.recipe, cnnImages, labels, classes.length);
    const cand = cnnCandidateAlongside(r.recipe, cnnImages, labels, classes.length, finalSeed(r.name));
    alongside.set(r.name, cand);
    return cand;
  });

  try {
    return await searchFitEvaluate();
  } finally {
    // No child outlives the run, and no onnxruntime session outlives the fits.
    for (const cand of alongside.values()) cand.dispose();
    await Promise.all([...rigs.values()].map(async (p) => (await p.catch(() => undefined))?.release()));
  }

  async function searchFitEvaluate(): Promise<TrainClassifierResult> {
    const byName = new Map(recipes.map((r) => [r.name, r]));
    // 5. Cross-validated search; progress by the plan's estimates, so it moves evenly over cheap and costly candidates.
    const tSearch = performance.now();
    const weights = recipes.map((r) => Math.max(1, plan.itemSeconds.get(r.name) ?? 1));
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    let doneWeight = 0;
    const search = await searchCandidates(candidates, {
      labels,
      numClasses: classes.length,
      seed,
      folds: settings.folds,
      ensemble: { rule: settings.ensemble, maxMembers: settings.maxEnsemble, maxPredictCost: settings.maxPredictCost ?? plan.maxPredictCost },
      signal,
      onFold: ({ candidate, fold, k }) => {
        const i = recipes.findIndex((r) => r.name === candidate);
        report('searching', (doneWeight + (weights[i] * (fold + 1)) / k) / totalWeight, { candidate, message: `fold ${fold + 1}/${k}` });
      },
      onCandidate: ({ index, name, phase, result }) => {
        if (phase === 'done') doneWeight += weights[index];
        report('searching', doneWeight / totalWeight, { candidate: name, message: phase === 'done' ? `cv accuracy ${(result!.cvAccuracy * 100).toFixed(1)}%` : phase });
      },
    });
    const searchSeconds = secs(tSearch);
    // An alongside CNN that was not chosen stops now, leaving its core to the final fits.
    for (const [name, cand] of alongside) if (!search.chosen.includes(name)) cand.dispose();

    // 6. Fit the chosen members on every image (fine-tuned tops: their fold models, averaged).
    const tFit = performance.now();
    const fit = await fitMembers(search, byName, report);
    const finalFitSeconds = secs(tFit);

    // 7. Evaluation: every image scored by a choice made without its fold's labels. On those predictions: calibration,
    // the "not sure" thresholds and the OOD detector, each chosen and measured out of fold (trust/).
    report('evaluating', 0);
    const spaces = oodSpaces(search, fit.members, byName);
    const trust = fitTrust({ probs: search.estimateOof, labels, classes, folds: search.folds, k: search.k, targetPrecision: settings.targetPrecision, oodSpaces: spaces, oodPercentile: settings.oodPercentile });
    const metrics = scorePredictions({ classes, labels, probabilities: trust.calibratedOof, ids: images.map((i) => i.id) });
    const semiSupervised = semi.report(search.chosen);
    const evaluation: EvaluationReport = { ...metrics, classes, method: 'nested-cross-validation', folds: search.k, selectionScore: search.chosenAccuracy, curves: fit.curves, trust: trust.report, ...(semiSupervised ? { semiSupervised } : {}) };
    const artifact = buildArtifact(search, fit.members, fit.files, trust, spaces);

    // 8. Dataset insights: the audit of the labelled images and the unlabelled ones ranked for labelling. Bounded
    // (unlabelled images predicted: INSIGHTS_BUDGET_SHARE of the budget at this run's embedding speed, at most
    // MAX_UNLABELED_RANKED) and never fatal: the model is trained whatever happens here.
    const tInsights = performance.now();
    let insights: RunInsights | undefined;
    let insightsError: string | undefined;
    if (input.insights?.enabled !== false) {
      report('evaluating', 0.5, { message: 'dataset audit' + (input.unlabeled?.length ? ', ranking the unlabelled images' : '') });
      try {
        const perImage = embeddingSeconds / Math.max(1, inputs.length);
        const byBudget = perImage > 0 ? Math.floor((INSIGHTS_BUDGET_SHARE * settings.timeBudgetSeconds) / perImage) : MAX_UNLABELED_RANKED;
        const space = spaces.find((s) => s.name === trust.ood.space)!;
        insights = await runInsights({
          classes, seed, artifact,
          labeled: { ids: images.map((i) => i.id), labels, oof: trust.calibratedOof, features: space.features, inputs },
          unlabeled: input.unlabeled ?? [],
          maxUnlabeled: Math.min(input.insights?.maxUnlabeled ?? MAX_UNLABELED_RANKED, Math.max(100, byBudget)),
          imageLimits: input.imageLimits, threads: settings.threads, cache: input.cache, signal,
        });
      } catch (err) {
        checkAbort();
        insightsError = (err as Error)?.message ?? String(err);
      }
    }
    const insightsSeconds = secs(tInsights);
    report('evaluating', 1);

    const describe = new Map(search.results.map((r) => [r.name, r.description]));
    return {
      artifact,
      report: evaluation,
      chosen: { members: search.chosen, cvAccuracy: search.chosenAccuracy, description: search.chosen.map((n) => describe.get(n)!) },
      candidates: search.results.map((r) => ({ name: r.name, cvAccuracy: r.cvAccuracy, cvLogLoss: r.cvLogLoss, seconds: r.seconds })),
      skippedCandidates: plan.skipped.map((s) => s.name),
      skippedImages,
      timings: { loadingSeconds, embeddingSeconds, searchSeconds, finalFitSeconds, insightsSeconds, totalSeconds: secs(t0) },
      ...(insights ? { insights } : {}),
      ...(insightsError ? { insightsError } : {}),
      ...(semiSupervised ? { semiSupervised } : {}),
      plan: { pool: plan.pool, estimatedSeconds: plan.estimatedSeconds, skipped: plan.skipped },
      finetuned: fit.finetuned,
    };
  }

  async function fitMembers(search: SearchResult, byName: Map<string, Recipe>, progress: ReportProgress) {
    const all = Array.from({ length: labels.length }, (_, i) => i);
    const files: Record<string, Buffer> = {};
    // Alongside CNNs last: their final models have been training in their children since their cross-validation ended.
    const order = search.chosen.map((name, m) => ({ name, m })).sort((a, b) => Number(alongside.has(a.name)) - Number(alongside.has(b.name)));
    const fitted: Array<{ member: ArtifactMember; curve: EvaluationReport['curves'][number] }> = [];
    const finetuned: TrainClassifierResult['finetuned'] = [];
    for (const { name, m } of order) {
      const r = byName.get(name)!;
      const memberSeed = finalSeed(name);
      const step = (epoch: number, epochs: number) => progress('training', (m + epoch / epochs) / search.chosen.length, { candidate: name, epoch, epochs });
      if (r.kind === 'head') {
        const head = semi.has(name)
          ? await semi.fit(name, labels, all, memberSeed, { signal })
          : await fitFeatureHead(r.recipe, sets.get(r.recipe.featureSet)!, labels, all, classes.length, memberSeed, { signal, onEpoch: (e) => step(e.epoch, r.recipe.head.epochs) });
        fitted[m] = { member: headToMember(name, r.recipe.featureSet, r.recipe.ttaViews, head, files, `members/${m}`), curve: { member: name, epochs: head.history } };
      } else if (r.kind === 'finetune') {
        const rig = await rigFor(r.recipe);
        const epochs = r.recipe.train.epochs;
        const models =
          r.recipe.serve === 'refit'
            ? [await fitFinetune(rig, r.recipe, acts.get(activationKey(r.recipe))!, labels, all, classes.length, memberSeed, { signal, onEpoch: (e) => step(e.epoch, epochs) })]
            : ftCandidates.get(name)!.foldModels();
        const layers = trainedLayers((await loadBackbone(r.recipe.backbone)).ir, rig.sub);
        const params = models.map((top) => rig.graphs.paramNames.map((p, i) => ({ name: p, dims: rig.graphs.paramDims[i], value: top.params[i] })));
        const { train: _t, views: _v, ...spec } = r.recipe;
        fitted[m] = {
          member: finetuneToMember(name, { ...spec, trainedLayers: layers }, params, files, `members/${m}`),
          curve: { member: name, epochs: models[0].history },
        };
        finetuned.push({ member: name, backbone: r.recipe.backbone, trainedLayers: layers, models: models.length });
      } else {
        const epochs = r.recipe.epochs + r.recipe.augEpochs;
        const { artifact: cnn, history } = alongside.has(name)
          ? await alongside.get(name)!.finalModel()
          : await fitCnnMember(r.recipe, cnnImages, labels, all, classes.length, memberSeed, { signal, onEpoch: (e) => step(e.epoch, epochs) });
        fitted[m] = {
          member: cnnToMember(name, r.recipe.arch, cnn, files, `members/${m}`),
          curve: { member: name, epochs: history.map((e) => ({ epoch: e.epoch, trainLoss: e.loss, trainAccuracy: e.accuracy })) },
        };
      }
    }
    return { members: fitted.map((f) => f.member), curves: fitted.map((f) => f.curve), files, finetuned };
  }

  /**
   * Feature spaces the OOD detector may read, free at prediction: the chosen heads' feature sets and the chosen
   * fine-tuned members' frozen maps at their cuts, pooled (their serving graph computes them anyway), at most three;
   * without either (a CNN-only ensemble), the best head candidate's feature set or the first planned one.
   */
  function oodSpaces(search: SearchResult, members: ArtifactMember[], byName: Map<string, Recipe>): OodSpace[] {
    const headSet = (name: string) => {
      const r = byName.get(name);
      return r?.kind === 'head' ? r.recipe.featureSet : undefined;
    };
    const spaces: OodSpace[] = [];
    members.forEach((m, k) => {
      if (spaces.length >= 3) return;
      if (m.kind === 'head' && !spaces.some((s) => s.name === m.featureSet)) spaces.push({ name: m.featureSet, features: sets.get(m.featureSet)!.views[0] });
      if (m.kind === 'finetune') {
        const r = byName.get(m.name) as Extract<Recipe, { kind: 'finetune' }>;
        spaces.push({ name: `member:${k}`, features: poolActivations(acts.get(activationKey(r.recipe))!, 0) });
      }
    });
    if (spaces.length) return spaces;
    const bestHead = [...search.results].filter((x) => headSet(x.name)).sort((a, b) => b.cvAccuracy - a.cvAccuracy)[0];
    const fallback = bestHead ? headSet(bestHead.name)! : [...plan.specs.keys()][0];
    if (!fallback) throw new Error('no feature space for the out-of-distribution detector: give a feature set');
    return [{ name: fallback, features: sets.get(fallback)!.views[0] }];
  }

  function buildArtifact(search: SearchResult, members: ArtifactMember[], files: Record<string, Buffer>, trust: TrustFit, spaces: OodSpace[]): ClassifierArtifact {
    const space = spaces.find((s) => s.name === trust.ood.space)!;
    const usedSets = new Set([space.name, ...members.flatMap((m) => (m.kind === 'head' ? [m.featureSet] : []))]);
    const featureSets: ArtifactFeatureSet[] = [...plan.specs.values()]
      .filter((s) => usedSets.has(s.name))
      .map((s) => ({ name: s.name, backbone: s.backbone, inputSize: s.inputSize, layers: layersOf(s), dim: sets.get(s.name)!.views[0].dim, ...(s.invert ? { invert: true } : {}) }));
    return {
      manifest: {
        format: 'tailor.classifier',
        version: 1,
        classes,
        featureSets,
        members,
        ood: oodToArtifact(trust.ood, space.features, labels, classes.length, files),
        calibration: trust.calibration,
        thresholds: trust.thresholds,
        training: { seed, cvAccuracy: search.estimateAccuracy, folds: search.k, trainImages: labels.length },
      },
      files,
    };
  }
}

/** The plan of this run: the settings' explicit candidates, or the cost model's choice from the images' profile. */
async function makePlan(settings: TrainSettings, inputs: Parameters<typeof profileImages>[0], numClasses: number): Promise<Plan & { specs: Map<string, FeatureSetSpec>; itemSeconds: Map<string, number> }> {
  const explicit = settings.featureSets || settings.heads || settings.finetunes || settings.cnnCandidates;
  let plan: Plan;
  if (explicit) {
    // Feature sets alone keep the default heads on them (and heads alone get no feature sets to run on).
    const heads = settings.heads ?? defaultHeads();
    const items: PlanItem[] = [
      ...(settings.finetunes ?? []).map((recipe): PlanItem => ({ kind: 'finetune', recipe, folds: settings.finetuneFolds ?? 3, seconds: 0, predictCost: { group: activationKey(recipe), cost: 0 } })),
      ...heads.flatMap((head) => (settings.featureSets ?? []).map((featureSet): PlanItem => ({ kind: 'head', featureSet, head, seconds: 0, predictCost: { group: featureSet.name, cost: 0 } }))),
    ];
    plan = { pool: 'explicit', items, skipped: [], estimatedSeconds: 0, maxPredictCost: Infinity } as unknown as Plan;
  } else {
    const irs = new Map<string, IrGraph>();
    for (const b of planBackbones(settings.architecture)) irs.set(b, (await loadBackbone(b)).ir);
    const profile = await profileImages(inputs, numClasses);
    plan = planCandidates({ profile, budgetSeconds: settings.timeBudgetSeconds, folds: settings.folds, finetuneFolds: settings.finetuneFolds, trainViews: settings.trainViews, ttaViews: settings.flipTta ? 2 : 1, architecture: settings.architecture, irs });
  }
  const specs = new Map<string, FeatureSetSpec>();
  const itemSeconds = new Map<string, number>();
  for (const s of explicit ? (settings.featureSets ?? []) : []) specs.set(s.name, s);
  for (const it of plan.items) {
    if (it.kind === 'head') specs.set(it.featureSet.name, it.featureSet);
    itemSeconds.set(itemName(it, settings), it.seconds);
  }
  return { ...plan, specs, itemSeconds };
}

function itemName(it: PlanItem, settings: TrainSettings): string {
  if (it.kind === 'finetune') return finetuneRecipeName(it.recipe);
  return recipeName({ featureSet: it.featureSet.name, head: it.head, trainViews: settings.trainViews, ttaViews: settings.flipTta ? 2 : 1 });
}

/** Candidate order: fine-tuned tops first (the strongest), then heads in plan order, then CNNs. */
function toRecipes(plan: Plan, settings: TrainSettings): Recipe[] {
  const ttaViews = settings.flipTta ? 2 : 1;
  const out: Recipe[] = plan.items.map((it): Recipe => {
    if (it.kind === 'finetune') return { kind: 'finetune', name: finetuneRecipeName(it.recipe), recipe: it.recipe, folds: it.folds, predictCost: it.predictCost };
    const recipe: FeatureHeadRecipe = { featureSet: it.featureSet.name, head: it.head, trainViews: settings.trainViews, ttaViews };
    return { kind: 'head', name: recipeName(recipe), recipe, predictCost: it.predictCost };
  });
  for (const recipe of settings.cnnCandidates ?? []) out.push({ kind: 'cnn', name: cnnRecipeName(recipe), recipe });
  return out;
}

function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}

/** Global average pool of one view's cached NHWC maps: [n x c]. */
function poolActivations(acts: CutActivations, view: number): FeatureMatrix {
  const [h, w, c] = acts.shape;
  const data = new Float32Array(acts.n * c);
  const src = acts.views[view];
  for (let i = 0; i < acts.n; i++) {
    for (let p = 0; p < h * w; p++) for (let j = 0; j < c; j++) data[i * c + j] += src[(i * h * w + p) * c + j] / (h * w);
  }
  return { rows: acts.n, dim: c, data };
}

export { topSubgraph };
