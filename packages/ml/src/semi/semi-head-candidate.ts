import { deriveSeed } from '../random';
import type { TrainedHead } from '../heads/types';
import { outOfFold, type CrossValidationContext, type SelectionCandidate } from '../selection/candidate';
import { fitFeatureHead, predictWithTta, recipeName, type FeatureHeadRecipe, type ImageFeatureSet } from '../selection/feature-head-candidate';
import { classCounts, selectPseudoLabels, withPseudoLabels, type PseudoLabelPolicy } from './pseudo-labels';

/** The unlabelled images a run may learn from: their rows in the feature matrices (after the labelled rows). */
export interface UnlabeledRows {
  rows: number[];
  policy: PseudoLabelPolicy;
}

export interface SemiFit<M> {
  model: M;
  /** Unlabelled images the student trained on with a pseudo-label. */
  pseudoLabeled: number;
  /** Their feature-matrix rows. */
  pseudoRows: number[];
}

/**
 * Self-training of one head on the given labelled rows: the head trained on them (the teacher) labels the unlabelled
 * images it is most sure of, and the same recipe is trained again on both (the student). Only `train` rows' labels
 * are read, so inside a cross-validation fold the held-out images never shape a pseudo-label.
 */
export async function fitSemiHead(recipe: FeatureHeadRecipe, set: ImageFeatureSet, labels: Int32Array, train: number[], unlabeled: UnlabeledRows, numClasses: number, seed: number, opts: { signal?: AbortSignal } = {}): Promise<SemiFit<TrainedHead>> {
  const teacher = await fitFeatureHead(recipe, set, labels, train, numClasses, deriveSeed(seed, 'teacher'), opts);
  const probs = predictWithTta(teacher, set, unlabeled.rows, recipe.ttaViews);
  const pseudo = selectPseudoLabels(probs, unlabeled.rows, numClasses, classCounts(labels, train, numClasses), unlabeled.policy);
  const all = withPseudoLabels(labels, set.views[0].rows, pseudo);
  const model = await fitFeatureHead(recipe, set, all, [...train, ...pseudo.rows], numClasses, seed, opts);
  return { model, pseudoLabeled: pseudo.rows.length, pseudoRows: pseudo.rows };
}

export const semiName = (name: string) => `${name}|self-trained`;

/** A frozen-feature head recipe, self-trained on the unlabelled images inside every fold. */
export function semiHeadCandidate(recipe: FeatureHeadRecipe, set: ImageFeatureSet, labels: Int32Array, numClasses: number, unlabeled: UnlabeledRows): SelectionCandidate {
  const name = semiName(recipeName(recipe));
  return {
    name,
    describe: () => ({ ...recipe, featureDim: set.views[0].dim, semiSupervised: { method: 'self-training', unlabeled: unlabeled.rows.length, ...unlabeled.policy } }),
    crossValidate: (ctx: CrossValidationContext) =>
      outOfFold(ctx, labels.length, numClasses, async (train, held, f) => {
        const { model } = await fitSemiHead(recipe, set, labels, train, unlabeled, numClasses, deriveSeed(ctx.seed, `${name}#${f}`), { signal: ctx.signal });
        return predictWithTta(model, set, held, recipe.ttaViews);
      }),
  };
}
