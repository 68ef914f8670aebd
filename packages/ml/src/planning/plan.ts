import { getBackboneSpec } from '../backbones/catalog';
import type { IrGraph } from '../tflite/ir';
import { DEFAULT_HEAD_CONFIG, type HeadConfig } from '../heads/types';
import type { FinetuneRecipe } from '../finetune/finetune-recipe';
import { DEFAULT_TOP_TRAIN } from '../finetune/train-top';
import type { FeatureSetSpec } from '../pipeline/types';
import { atSize, backboneCost } from './backbone-cost';
import { forwardSecondsPerGmac, REFERENCE_COSTS, type Costs } from './cost-model';
import type { DataProfile } from './data-profile';

export const V2 = 'mobilenet_v2_1.0_224_quant';
export const V1 = 'mobilenet_v1_1.0_224_quant_embedding';
export const EDGETPU = 'mobilenet_edgetpu_224_1.0_uint8';

/** One candidate of the plan, priced. */
export type PlanItem =
  | { kind: 'finetune'; recipe: FinetuneRecipe; folds: number; seconds: number; predictCost: { group: string; cost: number } }
  | { kind: 'head'; featureSet: FeatureSetSpec; head: HeadConfig; seconds: number; predictCost: { group: string; cost: number } };

export interface Plan {
  /** What the images look like, and so which pool the plan drew from. */
  pool: 'small-greyscale' | 'photos';
  items: PlanItem[];
  /** Candidates of the pool left out because they did not fit the budget. */
  skipped: Array<{ name: string; seconds: number }>;
  /** Estimated seconds of the whole run on the reference machine (loading, embedding, search, final fits). */
  estimatedSeconds: number;
  /** Prediction cost (MMAC per image, all views) the ensemble may add up to. */
  maxPredictCost: number;
}

export interface PlanInput {
  profile: DataProfile;
  /** The whole run's budget in seconds (loading and embedding included). */
  budgetSeconds: number;
  folds: number;
  /** Folds of a fine-tuning candidate (each is a fine-tuning run; the fold models are served averaged); default: the pool's. */
  finetuneFolds?: number;
  /** Frozen-feature views heads train on (2 = original + flip). */
  trainViews: number;
  ttaViews: number;
  /** 'auto', 'transfer:<backbone>' (frozen heads on it only) or 'finetune:<backbone>' (its fine-tuned top only). */
  architecture: string;
  irs: Map<string, IrGraph>;
  costs?: Costs;
}

/** Backbones the plan may use; the pipeline loads their graphs before planning (for the cost model). */
export function planBackbones(architecture: string): string[] {
  const own = architecture.includes(':') ? architecture.slice(architecture.indexOf(':') + 1) : undefined;
  return own ? [own] : [V2, V1, EDGETPU];
}

const LR: HeadConfig = { ...DEFAULT_HEAD_CONFIG, kind: 'logistic', learningRate: 1e-2, batchSize: 512, epochs: 25, patience: 0, validationFraction: 0, labelSmoothing: 0, l2: 1e-2 };
const MLP: HeadConfig = { ...DEFAULT_HEAD_CONFIG, kind: 'mlp', hidden: 256, dropout: 0.5, l2: 1e-3, learningRate: 3e-4, patience: 10 };

const span = (xs: number[]) => (xs.every((b, i) => i === 0 || b === xs[i - 1] + 1) ? `${xs[0]}-${xs.at(-1)}` : xs.join('+'));
const short = (b: string) => (b === V2 ? 'v2' : b === V1 ? 'v1' : b === EDGETPU ? 'edgetpu' : b);
function blocks(backbone: string, size: number, ids: number[], invert = false, extra: string[] = []): FeatureSetSpec {
  const prefix = backbone === V1 ? 'conv' : 'block';
  const layers = [...ids.map((b) => `pool_${prefix}_${b}`), ...extra.map((l) => `pool_${l}`)];
  const name = `${short(backbone)}@${size}${invert ? '-inverted' : ''}:${ids.length ? `${backbone === V1 ? 'c' : 'b'}${span(ids)}` : ''}${extra.length ? `${ids.length ? '+' : ''}${extra.join('+')}` : ''}`;
  return { name, backbone, inputSize: size, layers, ...(invert ? { invert } : {}) };
}

function finetune(backbone: string, size: number, cut: string, top: string, invert = false): FinetuneRecipe {
  const { trainViews: _, ...train } = DEFAULT_TOP_TRAIN;
  return { backbone, inputSize: size, cut, top, views: 6, ttaViews: 2, train, serve: 'bagged', ...(invert ? { invert } : {}) };
}

type Wish = { kind: 'finetune'; recipe: FinetuneRecipe; folds: number } | { kind: 'head'; featureSet: FeatureSetSpec; head: HeadConfig };

/**
 * Candidates in priority order, by rules fixed in code from what the images look like (never a per-dataset setting).
 * Small greyscale images (garments, digits, icons): MobileNetV2's mid blocks describe them best and its fine-tuned
 * top most of all (Fashion-MNIST, 1,000 images, validation on the train split: frozen conv_1 + linear 85.0%,
 * fine-tuned top from block_13 88.8%). Colour photos: MobileNet-EdgeTPU's last layers (cifar10-dev: frozen conv_1 +
 * linear 75.6-76.7% vs MobileNetV2's best 69-72%; fine-tuned from block_18 79.0%).
 */
function wishes(profile: DataProfile, architecture: string): { pool: Plan['pool']; list: Wish[] } {
  const small = profile.medianSide <= 64;
  const pool: Plan['pool'] = small && !profile.colour ? 'small-greyscale' : 'photos';
  let list: Wish[];
  if (pool === 'small-greyscale') {
    // Cheap passes first (96 px shares the fine-tuned top's input size), the 224 px MobileNet v1 pass last.
    const sets = [
      blocks(V2, 96, Array.from({ length: 14 }, (_, i) => i + 3), true),
      blocks(V2, 96, [9, 12, 15, 16]),
      blocks(V1, 128, [11, 12, 13]),
      blocks(V2, 160, Array.from({ length: 14 }, (_, i) => i + 3)),
      blocks(V2, 160, [9, 12, 15, 16]),
      blocks(V1, 224, [11, 12, 13]),
    ];
    // Five folds: the top at 96 px is cheap to train, and each fold model then sees 4/5 of the images (on a
    // validation split, 67 images per class gave 86.4% against 88.4% with 100).
    list = [
      { kind: 'finetune', recipe: finetune(V2, 96, 'block_13', 'conv_1'), folds: 5 },
      ...sets.map((featureSet): Wish => ({ kind: 'head', featureSet, head: LR })),
      { kind: 'finetune', recipe: finetune(V2, 96, 'block_13', 'conv_1', true), folds: 5 },
      ...sets.map((featureSet): Wish => ({ kind: 'head', featureSet, head: { ...LR, l2: 3e-2 } })),
      ...sets.slice(0, 3).map((featureSet): Wish => ({ kind: 'head', featureSet, head: MLP })),
    ];
  } else {
    const size = small ? 160 : 224;
    const sets = [
      blocks(EDGETPU, size, [], false, ['conv_1']),
      blocks(EDGETPU, size, [19, 20, 21], false, ['conv_1']),
      blocks(V2, size, [], false, ['conv_1']),
      blocks(V2, size, [13, 14, 15, 16]),
    ];
    list = [
      // Three folds: EdgeTPU's top at 160-224 px costs several times MobileNetV2's at 96.
      { kind: 'finetune', recipe: finetune(EDGETPU, size, 'block_18', 'conv_1'), folds: 3 },
      ...sets.map((featureSet): Wish => ({ kind: 'head', featureSet, head: LR })),
      { kind: 'finetune', recipe: finetune(V2, size, 'block_13', 'conv_1'), folds: 3 },
      ...sets.map((featureSet): Wish => ({ kind: 'head', featureSet, head: { ...LR, l2: 3e-2 } })),
      ...sets.slice(0, 2).map((featureSet): Wish => ({ kind: 'head', featureSet, head: MLP })),
    ];
  }
  if (architecture.startsWith('transfer:')) {
    const b = architecture.slice('transfer:'.length);
    list = list.filter((w) => w.kind === 'head' && w.featureSet.backbone === b);
    if (!list.length) list = [{ kind: 'head', featureSet: { name: `${short(b)}@${small ? 96 : 224}`, backbone: b, inputSize: small ? 96 : 224, layers: getBackboneSpec(b).defaultLayers }, head: LR }];
  } else if (architecture.startsWith('finetune:')) {
    const b = architecture.slice('finetune:'.length);
    list = list.filter((w) => w.kind === 'finetune' && w.recipe.backbone === b);
    if (!list.length) {
      const [cut, top] = b === EDGETPU ? ['block_18', 'conv_1'] : b === V2 ? ['block_13', 'conv_1'] : ['conv_11', 'conv_13'];
      list = [{ kind: 'finetune', recipe: finetune(b, small ? 96 : 224, cut, top), folds: 3 }];
    }
  }
  return { pool, list };
}

/**
 * Prices the pool's candidates with the cost model and keeps them, in priority order, while the whole run's estimate
 * fits the budget (the first always). Deterministic: same profile, settings and budget, same plan.
 */
export function planCandidates(input: PlanInput): Plan {
  const c = input.costs ?? REFERENCE_COSTS;
  const n = input.profile.images;
  const k = input.folds;
  const { pool, list } = wishes(input.profile, input.architecture);
  const cost = (backbone: string) => backboneCost(input.irs.get(backbone)!);
  const channels = (backbone: string, layer: string) => input.irs.get(backbone)!.layers.find((l) => l.name === layer)?.shape.at(-1) ?? 512;
  const deepest = (spec: FeatureSetSpec) => Math.max(...spec.layers.map((l) => cost(spec.backbone).upTo(l.replace(/^pool_/, ''))));
  const groupKey = (b: string, size: number, invert?: boolean) => `${b}@${size}${invert ? ':inverted' : ''}`;
  // Frozen forward passes already paid for, by group (a group's cost is its deepest layer's).
  const embedded = new Map<string, number>();
  const activations = new Set<string>();
  // A new pass: set-up, one decode per image, then per view its making and the forward pass up to the layer needed.
  const embedSeconds = (backbone: string, macs224: number, size: number, views: number, fresh: boolean) =>
    (fresh ? c.sessionSeconds + n * c.decodeSeconds : 0) + n * views * (c.viewSeconds + (atSize(macs224, size) / 1e9) * forwardSecondsPerGmac(c, backbone));

  let total = c.runOverheadSeconds + n * c.loadSeconds;
  const reserve = 0.1 * input.budgetSeconds; // final fits of heads and evaluation
  const priced = list.map((w) => price(w));
  const fits = (seconds: number) => total + seconds <= input.budgetSeconds - reserve;
  // When nothing fits, the cheapest candidate runs alone: a model is always trained.
  const fallback = priced.some((p) => fits(p.seconds)) ? -1 : priced.reduce((best, p, i) => (p.seconds < priced[best].seconds ? i : best), 0);
  const items: PlanItem[] = [];
  const skipped: Plan['skipped'] = [];
  list.forEach((w, i) => {
    // Re-priced in order: what earlier items embedded is free for later ones.
    const { seconds, predictCost, commit } = price(w);
    const name = w.kind === 'head' ? `${w.featureSet.name}|${w.head.kind}` : `finetune:${short(w.recipe.backbone)}@${w.recipe.inputSize}${w.recipe.invert ? '-inverted' : ''}`;
    if (!(fallback === i || (fallback < 0 && fits(seconds)))) {
      skipped.push({ name, seconds });
      return;
    }
    commit();
    total += seconds;
    items.push(w.kind === 'head' ? { ...w, seconds, predictCost } : { ...w, folds: input.finetuneFolds ?? w.folds, seconds, predictCost });
  });

  function price(w: Wish): { seconds: number; predictCost: { group: string; cost: number }; commit: () => void } {
    if (w.kind === 'head') {
      const g = groupKey(w.featureSet.backbone, w.featureSet.inputSize, w.featureSet.invert);
      const macs = deepest(w.featureSet);
      const prev = embedded.get(g) ?? 0;
      // A deeper layer in an already embedded group costs the difference.
      const embed = macs > prev ? embedSeconds(w.featureSet.backbone, macs - prev, w.featureSet.inputSize, input.trainViews, prev === 0) : 0;
      const dim = w.featureSet.layers.reduce((a, l) => a + channels(w.featureSet.backbone, l.replace(/^pool_/, '')), 0);
      const out = w.head.kind === 'mlp' ? w.head.hidden : input.profile.classes;
      const rows = n * input.trainViews * ((k - 1) / k);
      const epochs = w.head.kind === 'mlp' ? 40 : w.head.epochs;
      return {
        seconds: embed + k * rows * epochs * dim * out * c.headSecondsPerUnit,
        predictCost: { group: g, cost: (atSize(Math.max(macs, prev), w.featureSet.inputSize) / 1e6) * input.ttaViews },
        commit: () => embedded.set(g, Math.max(prev, macs)),
      };
    }
    const r = w.recipe;
    const actKey = `${groupKey(r.backbone, r.inputSize, r.invert)}>${r.cut}`;
    const trunk = cost(r.backbone).upTo(r.cut);
    const top = atSize(cost(r.backbone).between(r.cut, r.top), r.inputSize);
    const acts = activations.has(actKey) ? 0 : embedSeconds(r.backbone, trunk, r.inputSize, r.views, true);
    const folds = input.finetuneFolds ?? w.folds;
    const samples = folds * n * ((folds - 1) / folds) * r.train.epochs;
    const heldPredict = n * r.ttaViews * (top / 1e9) * forwardSecondsPerGmac(c, r.backbone);
    return {
      seconds: acts + c.sessionSeconds + samples * (c.finetuneSecondsPerSample + (top / 1e9) * c.finetuneSecondsPerSampleGmac) + heldPredict,
      // Served bagged: the frozen trunk once, every fold's top; heads on the same backbone, size and polarity share the pass.
      predictCost: { group: groupKey(r.backbone, r.inputSize, r.invert), cost: ((atSize(trunk, r.inputSize) + folds * top) / 1e6) * r.ttaViews },
      commit: () => activations.add(actKey),
    };
  }
  return { pool, items, skipped, estimatedSeconds: total + reserve, maxPredictCost: pool === 'photos' ? 1400 : 1200 };
}
