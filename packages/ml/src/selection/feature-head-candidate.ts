import type { FeatureMatrix } from '../heads/matrix';
import { predictHead } from '../heads/predict-head';
import { deriveSeed } from '../random';
import { trainHead } from '../heads/train-head';
import type { HeadConfig, TrainedHead } from '../heads/types';
import { outOfFold, type CrossValidationContext, type SelectionCandidate } from './candidate';

/**
 * Features of every image under several views, all with the same rows (one per image): views[0] is the original,
 * views[1] the horizontal flip, further views seeded augmentations. Only views[0..ttaViews) are used at prediction.
 */
export interface ImageFeatureSet {
  name: string;
  views: FeatureMatrix[];
}

export interface FeatureHeadRecipe {
  featureSet: string;
  head: HeadConfig;
  /** Views the head is trained on (rows = images x trainViews). */
  trainViews: number;
  /** Views averaged at prediction (1 = original only, 2 = original + flip). */
  ttaViews: number;
}

/** Rows of `images` under views [0, nViews) stacked, with the image index as group. */
export function stackViews(set: ImageFeatureSet, images: ArrayLike<number>, nViews: number): { x: FeatureMatrix; groups: Int32Array } {
  const dim = set.views[0].dim;
  const rows = images.length * nViews;
  const data = new Float32Array(rows * dim);
  const groups = new Int32Array(rows);
  let r = 0;
  for (let v = 0; v < nViews; v++) {
    const m = set.views[v];
    for (let i = 0; i < images.length; i++, r++) {
      const src = images[i] * dim;
      data.set(m.data.subarray(src, src + dim), r * dim);
      groups[r] = images[i];
    }
  }
  return { x: { rows, dim, data }, groups };
}

/** Probabilities of `images` averaged over views [0, ttaViews). */
export function predictWithTta(head: TrainedHead, set: ImageFeatureSet, images: ArrayLike<number>, ttaViews: number): Float32Array {
  const c = head.numClasses;
  const { x } = stackViews(set, images, ttaViews);
  const p = predictHead(head, x);
  const out = new Float32Array(images.length * c);
  for (let v = 0; v < ttaViews; v++) {
    for (let i = 0; i < images.length * c; i++) out[i] += p[v * images.length * c + i] / ttaViews;
  }
  return out;
}

export async function fitFeatureHead(recipe: FeatureHeadRecipe, set: ImageFeatureSet, labels: Int32Array, images: number[], numClasses: number, seed: number, opts: { signal?: AbortSignal; onEpoch?: Parameters<typeof trainHead>[3]['onEpoch'] } = {}): Promise<TrainedHead> {
  const { x, groups } = stackViews(set, images, recipe.trainViews);
  const y = Int32Array.from(groups, (g) => labels[g]);
  return trainHead({ x, y, groups }, numClasses, recipe.head, { seed, signal: opts.signal, onEpoch: opts.onEpoch });
}

export function recipeName(r: FeatureHeadRecipe): string {
  const h = r.head;
  const head = h.kind === 'mlp' ? `mlp${h.hidden}-do${h.dropout}-l2=${h.l2}` : `lr-l2=${h.l2}`;
  return `${r.featureSet}|${head}|views${r.trainViews}|tta${r.ttaViews}`;
}

/** A (feature set x head x hyper-parameters) candidate. */
export function featureHeadCandidate(recipe: FeatureHeadRecipe, set: ImageFeatureSet, labels: Int32Array, numClasses: number): SelectionCandidate {
  const name = recipeName(recipe);
  return {
    name,
    describe: () => ({ ...recipe, featureDim: set.views[0].dim }),
    crossValidate: (ctx: CrossValidationContext) =>
      outOfFold(ctx, labels.length, numClasses, async (train, held, f) => {
        const head = await fitFeatureHead(recipe, set, labels, train, numClasses, deriveSeed(ctx.seed, `${name}#${f}`), { signal: ctx.signal });
        return predictWithTta(head, set, held, recipe.ttaViews);
      }),
  };
}
