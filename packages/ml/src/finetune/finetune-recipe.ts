import type { TopTrainConfig } from './train-top';

/**
 * Fine-tuning recipe: the top of `backbone` above the `cut` layer, up to `top` (pooled), plus a new softmax head,
 * trained from cut activations of `views` views per image (original, flip, seeded augmentations).
 */
export interface FinetuneRecipe {
  backbone: string;
  inputSize: number;
  invert?: boolean;
  cut: string;
  top: string;
  /** Views whose cut activations are computed once (1 = original, 2 = + flip, n > 2 = + seeded augmentations). */
  views: number;
  /** Views averaged at prediction (1 = original, 2 = + flip). */
  ttaViews: number;
  train: Omit<TopTrainConfig, 'trainViews'>;
  /**
   * What is served: 'bagged' averages the cross-validation fold models (no further training; each saw (k-1)/k of the
   * images); 'refit' trains one more model on every image (one more run, one top to serve).
   */
  serve: 'bagged' | 'refit';
}

/** Activations are shared by every recipe with the same frozen part and views. */
export function activationKey(r: Pick<FinetuneRecipe, 'backbone' | 'inputSize' | 'invert' | 'cut'>): string {
  return `${r.backbone}@${r.inputSize}${r.invert ? ':inverted' : ''}>${r.cut}`;
}

const SHORT: Record<string, string> = { mobilenet_v2_1_0_224_quant: 'v2', mobilenet_edgetpu_224_1_0_uint8: 'edgetpu' };

export function finetuneRecipeName(r: FinetuneRecipe): string {
  const b = SHORT[r.backbone.replace(/\./g, '_')] ?? r.backbone;
  return `finetune:${b}@${r.inputSize}${r.invert ? '-inverted' : ''}:${r.cut}..${r.top}|ep${r.train.epochs}|views${r.views}|tta${r.ttaViews}${r.serve === 'refit' ? '|refit' : ''}`;
}
