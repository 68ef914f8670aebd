import type { EmbeddingCache } from '../embeddings/embedding-cache';
import { createRng, deriveSeed, shuffleInPlace } from '../random';
import type { TrainedHead } from '../heads/types';
import { extractFeatureSets } from '../pipeline/extract-features';
import { loadTrainingImages } from '../pipeline/load-images';
import type { FeatureSetSpec, TrainSettings, UnlabeledImage } from '../pipeline/types';
import type { Plan } from '../planning/plan';
import type { PixelLimits } from '../preprocess/check-image';
import type { SelectionCandidate } from '../selection/candidate';
import { recipeName, type FeatureHeadRecipe, type ImageFeatureSet } from '../selection/feature-head-candidate';
import { joinRows } from './join-rows';
import type { PseudoLabelPolicy } from './pseudo-labels';
import { fitSemiHead, semiHeadCandidate, semiName, type UnlabeledRows } from './semi-head-candidate';
import { planUnlabeled, SELF_TRAINED_HEADS, type UnlabeledPlan } from './unlabeled-budget';

/** Share of the unlabelled images a teacher pseudo-labels (per class, most confident first): chosen by bench/dev/semi-probe.ts. */
export const PSEUDO_LABEL_FRACTION = 0.5;
export const SEMI_METHOD = 'self-training';

/** What a run did with its unlabelled images (result.semiSupervised, and the evaluation report's). */
export interface SemiSupervisedReport {
  /** Unlabelled images given to the run. */
  given: number;
  /** Unlabelled images embedded and offered to the self-trained candidates (budget-capped, readable, not a copy of a labelled one). */
  used: number;
  /** Unlabelled images the chosen self-trained members' final fits trained on with a pseudo-label (0 when none was chosen). */
  pseudoLabeled: number;
  method: string;
  /** The self-trained candidates cross-validated, and those the selection chose. */
  candidates: string[];
  chosen: string[];
  note: string;
}

/**
 * The run's plan when it has unlabelled images, and how many of them it uses (planUnlabeled: as many as fit
 * UNLABELED_BUDGET_SHARE of the budget, by the cost model). The plan itself is the one without them, and the
 * unlabelled images' share comes on top: replanning the candidates within what they leave measured worse than not
 * using them at all (Fashion-MNIST, 100/class + 5,000 unlabelled, seed 1, 2,000 test images: 89.25% supervised; the
 * plan replanned within half the budget lost the fine-tuned top and all but one feature set, 87.70%; keeping the top,
 * 87.05%), since the self-trained twins gain less than a smaller ensemble loses.
 */
export async function planWithUnlabeled<P extends Plan>(given: number, settings: TrainSettings, classes: number, makePlan: (s: TrainSettings) => Promise<P>): Promise<{ plan: P; unlabeled: UnlabeledPlan }> {
  const plan = await makePlan(settings);
  const ttaViews = settings.flipTta ? 2 : 1;
  const unlabeled = await planUnlabeled(plan, given, { folds: settings.folds, trainViews: settings.trainViews, ttaViews, classes, budgetSeconds: settings.timeBudgetSeconds });
  return { plan, unlabeled: unlabeled.use ? { ...unlabeled, note: `${unlabeled.note}, on top of the candidates' plan` } : unlabeled };
}

export interface SemiStep {
  /** Self-trained twins of the plan's first head recipes, to join the search (empty without unlabelled images). */
  twins: Array<{ name: string; recipe: FeatureHeadRecipe; candidate: SelectionCandidate }>;
  /** Whether a candidate name is a self-trained twin. */
  has(name: string): boolean;
  /** Final fit of a chosen twin on the given labelled rows plus its pseudo-labelled unlabelled images. */
  fit(name: string, labels: Int32Array, train: number[], seed: number, opts?: { signal?: AbortSignal }): Promise<TrainedHead>;
  /** The report, once the selection has chosen. */
  report(chosen: readonly string[]): SemiSupervisedReport | undefined;
}

export interface SemiStepInput {
  unlabeled: readonly UnlabeledImage[] | undefined;
  /** sha256 of the labelled images: an unlabelled copy of one adds nothing and is left out. */
  labeledSha: ReadonlySet<string>;
  plan: UnlabeledPlan;
  /** The plan's head recipes, in plan order (the first SELF_TRAINED_HEADS get a twin). */
  heads: Array<{ name: string; recipe: FeatureHeadRecipe }>;
  specs: FeatureSetSpec[];
  /** Feature sets of the labelled images, by name (rows = labelled images). */
  sets: Map<string, ImageFeatureSet>;
  views: Parameters<typeof extractFeatureSets>[2];
  labels: Int32Array;
  classes: number;
  seed: number;
  imageLimits?: PixelLimits;
  cache?: EmbeddingCache;
  threads?: number;
  signal?: AbortSignal;
  policy?: PseudoLabelPolicy;
  onProgress?: (fraction: number, message: string) => void;
}

/**
 * Semi-supervised training, as one step of the run: a budget-capped, seeded sample of the unlabelled images is loaded
 * and embedded with the plan's feature sets (rows after the labelled ones), and the plan's first head recipes each get
 * a self-trained twin (semiHeadCandidate: inside every fold a teacher trained on that fold's labelled rows
 * pseudo-labels the unlabelled images, a student is trained on both). The twins are ordinary candidates: the
 * cross-validated search decides whether they help. A chosen twin's final fit does the same on all labelled images and
 * is served as an ordinary head.
 */
export async function prepareSemiStep(input: SemiStepInput): Promise<SemiStep> {
  const given = input.unlabeled?.length ?? 0;
  const policy = input.policy ?? { fraction: PSEUDO_LABEL_FRACTION };
  const none = (note: string): SemiStep => ({
    twins: [],
    has: () => false,
    fit: () => Promise.reject(new Error('no self-trained candidates')),
    report: () => (given ? { given, used: 0, pseudoLabeled: 0, method: SEMI_METHOD, candidates: [], chosen: [], note } : undefined),
  });
  if (!given) return none('');
  const heads = input.heads.slice(0, SELF_TRAINED_HEADS);
  if (!heads.length) return none('no frozen-feature head in the plan to self-train');
  if (!input.plan.use) return none(input.plan.note || 'no unlabelled image fits the time budget');

  const pool = input.unlabeled!.filter((u) => !input.labeledSha.has(u.sha256));
  const copies = given - pool.length;
  shuffleInPlace(pool, createRng(deriveSeed(input.seed, 'semi:unlabeled')));
  const loaded = await loadTrainingImages(pool.slice(0, input.plan.use), { limits: input.imageLimits, checkAbort: () => input.signal?.throwIfAborted() });
  if (!loaded.inputs.length) return none('no readable unlabelled image');
  const used = loaded.inputs.length;
  input.onProgress?.(0, `${used} unlabelled images`);
  const specs = input.specs.filter((s) => heads.some((h) => h.recipe.featureSet === s.name));
  const passes = input.views.length * used;
  const extra = await extractFeatureSets(loaded.inputs, specs, input.views, {
    cache: input.cache, threads: input.threads, signal: input.signal,
    onProgress: (done) => input.onProgress?.(done / passes, `${used} unlabelled images`),
  });
  const nLabeled = input.labels.length;
  const joined = new Map<string, ImageFeatureSet>();
  for (const s of specs) joined.set(s.name, joinRows(input.sets.get(s.name)!, extra.get(s.name)!));
  const rows: UnlabeledRows = { rows: Array.from({ length: used }, (_, i) => nLabeled + i), policy };

  const twins = heads.map((h) => {
    const set = joined.get(h.recipe.featureSet)!;
    return { name: semiName(recipeName(h.recipe)), recipe: h.recipe, candidate: semiHeadCandidate(h.recipe, set, input.labels, input.classes, rows) };
  });
  const byName = new Map(twins.map((t) => [t.name, t]));
  const pseudo = new Set<number>();
  const notes = [input.plan.note, copies ? `${copies} unlabelled copies of labelled images left out` : '', loaded.skipped.length ? `${loaded.skipped.length} unreadable unlabelled images skipped` : ''].filter(Boolean);
  return {
    twins,
    has: (name) => byName.has(name),
    async fit(name, labels, train, seed, opts = {}) {
      const t = byName.get(name)!;
      const fitted = await fitSemiHead(t.recipe, joined.get(t.recipe.featureSet)!, labels, train, rows, input.classes, seed, opts);
      for (const r of fitted.pseudoRows) pseudo.add(r);
      return fitted.model;
    },
    report: (chosen) => {
      const mine = chosen.filter((c) => byName.has(c));
      const verdict = mine.length
        ? `cross-validation chose ${mine.length} self-trained member${mine.length > 1 ? 's' : ''}`
        : 'cross-validation preferred the supervised candidates: no pseudo-label is in the model';
      return { given, used, pseudoLabeled: pseudo.size, method: `${SEMI_METHOD} (teacher head pseudo-labels the ${Math.round(policy.fraction * 100)}% it is surest of, per class; student retrained; inside every fold)`, candidates: twins.map((t) => t.name), chosen: mine, note: [...notes, verdict].join('; ') };
    },
  };
}
