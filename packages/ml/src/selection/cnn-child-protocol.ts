import type { CnnArtifact, CnnEpochStats } from '../cnn';
import type { CnnRecipe } from './cnn-candidate';

/** Parent -> CNN child: everything a cross-validation and the final fit need (typed arrays travel as such). */
export interface CnnChildRequest {
  recipe: CnnRecipe;
  /** n x 28 x 28 x 1 floats in [0, 1]. */
  images: Float32Array;
  labels: Int32Array;
  numClasses: number;
  folds: Int32Array;
  k: number;
  seed: number;
  /** Seed of the model trained on every image after the cross-validation. */
  finalSeed: number;
}

export type CnnChildMessage =
  | { type: 'fold'; fold: number }
  | { type: 'oof'; oof: Float32Array }
  | { type: 'final'; artifact: CnnArtifact; history: CnnEpochStats[] }
  | { type: 'error'; message: string };
