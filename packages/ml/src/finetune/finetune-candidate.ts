import { loadBackbone } from '../backbones/load-backbone';
import { deriveSeed } from '../random';
import { outOfFold, type CrossValidationContext, type SelectionCandidate } from '../selection/candidate';
import type { CutActivations } from './cut-activations';
import { buildFinetuneGraphs, type FinetuneGraphs } from './finetune-graphs';
import { finetuneRecipeName, type FinetuneRecipe } from './finetune-recipe';
import { createFinetuneSession, type FinetuneSession } from './finetune-session';
import { topSubgraph, type TopSubgraph } from './top-subgraph';
import { predictTop, trainTop, type TrainedTop, type TopTrainOptions } from './train-top';

/** The graphs and session of one recipe over its activations (built once, used by every fold and the final fit). */
export interface FinetuneRig {
  sub: TopSubgraph;
  graphs: FinetuneGraphs;
  session: FinetuneSession;
  release(): Promise<void>;
}

export async function createFinetuneRig(recipe: FinetuneRecipe, acts: CutActivations, numClasses: number, threads = 2): Promise<FinetuneRig> {
  const { ir } = await loadBackbone(recipe.backbone);
  const sub = topSubgraph(ir, recipe.cut, recipe.top);
  const [h, w, c] = acts.shape;
  const graphs = buildFinetuneGraphs(sub, [c, h, w], numClasses);
  const session = await createFinetuneSession(graphs, acts.shape, numClasses, threads);
  return { sub, graphs, session, release: () => session.release() };
}

const allViews = (recipe: FinetuneRecipe) => Array.from({ length: recipe.views }, (_, i) => i);
const ttaViews = (recipe: FinetuneRecipe) => Array.from({ length: Math.min(recipe.ttaViews, recipe.views) }, (_, i) => i);

export function fitFinetune(rig: FinetuneRig, recipe: FinetuneRecipe, acts: CutActivations, labels: Int32Array, rows: number[], numClasses: number, seed: number, opts: TopTrainOptions = {}): Promise<TrainedTop> {
  return trainTop(rig.session, rig.graphs, rig.sub, acts, labels, rows, numClasses, { ...recipe.train, trainViews: allViews(recipe) }, seed, opts);
}

/** Probabilities of `rows` averaged over the recipe's test-time views. */
export function predictFinetune(rig: FinetuneRig, recipe: FinetuneRecipe, acts: CutActivations, rows: number[], params: Float32Array[], numClasses: number): Promise<Float32Array> {
  return predictTop(rig.session, acts, rows, ttaViews(recipe), params, numClasses);
}

export interface FinetuneCandidate extends SelectionCandidate {
  /** The k fold models of the last cross-validation: served averaged (bagging) instead of one refit on all images. */
  foldModels(): TrainedTop[];
}

/**
 * A fine-tuning recipe as a selection candidate: k fine-tuned tops, each scored on the images it did not see. Its own
 * fold count (`folds`) may be smaller than the heads': a fold costs a fine-tuning run, and the fold models are kept.
 */
export function finetuneCandidate(recipe: FinetuneRecipe, rig: () => Promise<FinetuneRig>, acts: CutActivations, labels: Int32Array, numClasses: number, folds?: number): FinetuneCandidate {
  const name = finetuneRecipeName(recipe);
  let models: TrainedTop[] = [];
  return {
    name,
    folds,
    describe: () => ({ kind: 'finetune', ...recipe, activations: acts.shape }),
    crossValidate: async (ctx: CrossValidationContext) => {
      const r = await rig();
      models = [];
      return outOfFold(ctx, labels.length, numClasses, async (train, held, f) => {
        const top = await fitFinetune(r, recipe, acts, labels, train, numClasses, deriveSeed(ctx.seed, `${name}#${f}`), { signal: ctx.signal });
        models.push(top);
        return predictFinetune(r, recipe, acts, held, top.params, numClasses);
      });
    },
    foldModels: () => models,
  };
}
