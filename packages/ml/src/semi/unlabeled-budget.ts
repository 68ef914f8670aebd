import { loadBackbone } from '../backbones/load-backbone';
import { atSize, backboneCost } from '../planning/backbone-cost';
import { REFERENCE_COSTS, forwardSecondsPerGmac, type Costs } from '../planning/cost-model';
import type { Plan, PlanItem } from '../planning/plan';

/** Most of a run's budget that unlabelled images may add (on top of the candidates, planned as without them). */
export const UNLABELED_BUDGET_SHARE = 0.5;
/** Head recipes of the plan (in its order) that get a self-trained twin: the students are the costly part. */
export const SELF_TRAINED_HEADS = 3;

export interface UnlabeledPlan {
  /** Unlabelled images the run uses (the first ones given). */
  use: number;
  given: number;
  /** Estimated seconds per unlabelled image on the reference machine (embedding, students, ranking). */
  secondsPerImage: number;
  /** What the run's planning said about them, for the report. */
  note: string;
}

/**
 * How many unlabelled images fit the run's time budget: each costs its frozen forward passes for the feature groups
 * of the self-trained heads (the plan's first SELF_TRAINED_HEADS heads; all training views) and the extra rows of
 * their students (k folds and the final fit). Ranking them for labelling is the insights step's, on its own budget. Up to
 * UNLABELED_BUDGET_SHARE of the budget goes to them, on top of the candidates' plan. Priced by
 * the cost model, never the clock, so the same data and budget use the same images on any machine.
 */
export async function planUnlabeled(plan: Plan, given: number, input: { budgetSeconds: number; folds: number; trainViews: number; ttaViews: number; classes: number; costs?: Costs }): Promise<UnlabeledPlan> {
  if (!given) return { use: 0, given, secondsPerImage: 0, note: '' };
  const c = input.costs ?? REFERENCE_COSTS;
  const groups = new Map<string, { backbone: string; size: number; deepest: number }>();
  let seconds = 0;
  const heads = plan.items.filter((it): it is Extract<PlanItem, { kind: 'head' }> => it.kind === 'head').slice(0, SELF_TRAINED_HEADS);
  // Only the self-trained heads' feature sets are computed for the unlabelled images.
  for (const it of heads) {
    const s = it.featureSet;
    const cost = backboneCost((await loadBackbone(s.backbone)).ir);
    const key = `${s.backbone}@${s.inputSize}${s.invert ? ':inverted' : ''}`;
    const deepest = Math.max(...s.layers.map((l) => cost.upTo(l.replace(/^pool_/, ''))));
    const g = groups.get(key);
    groups.set(key, { backbone: s.backbone, size: s.inputSize, deepest: Math.max(g?.deepest ?? 0, deepest) });
  }
  for (const g of groups.values()) seconds += c.decodeSeconds + input.trainViews * (c.viewSeconds + (atSize(g.deepest, g.size) / 1e9) * forwardSecondsPerGmac(c, g.backbone));
  for (const h of heads) {
    const dim = h.featureSet.layers.length * 400; // the plan's rough width
    const epochs = h.head.kind === 'mlp' ? 40 : h.head.epochs;
    const out = h.head.kind === 'mlp' ? h.head.hidden : input.classes;
    // A student per fold and the final one, each with every unlabelled image as a possible row.
    seconds += (input.folds + 1) * input.trainViews * epochs * dim * out * c.headSecondsPerUnit;
  }
  const affordable = Math.floor((UNLABELED_BUDGET_SHARE * input.budgetSeconds) / Math.max(seconds, 1e-6));
  const use = Math.min(given, affordable);
  const note =
    use < given
      ? `used ${use} of ${given} unlabelled images: each costs ~${(seconds * 1000).toFixed(0)} ms of the ${input.budgetSeconds} s budget, and they may take ${Math.round(UNLABELED_BUDGET_SHARE * 100)}% of it`
      : `used all ${given} unlabelled images (~${(use * seconds).toFixed(0)} s of the ${input.budgetSeconds} s budget)`;
  return { use, given, secondsPerImage: seconds, note };
}
