import { CNN_INPUT, loadCnn, trainCnn, type CnnArch, type CnnArtifact, type CnnEpochStats } from '../cnn';
import { deriveSeed } from '../random';
import { outOfFold, type CrossValidationContext, type SelectionCandidate } from './candidate';

/** A tutorial CNN trained from scratch on the uploaded images (28x28 greyscale, see cnn/input.ts), as a candidate. */
export interface CnnRecipe {
  arch: CnnArch;
  /** Plain epochs, then `augEpochs` more on augmented batches (the tutorial's two stages). */
  epochs: number;
  augEpochs: number;
  batchSize: number;
}

/**
 * The uploaded images as the CNNs see them, n x 28 x 28 x 1 floats in [0, 1], produced on first use: under the
 * default budget the CNN candidates are skipped, and the images are then never decoded for them.
 */
export type CnnImages = () => Promise<Float32Array>;

const PER_IMAGE = CNN_INPUT.width * CNN_INPUT.height * CNN_INPUT.channels;

/**
 * Training throughput (images/s, forward+backward+Adam) at the candidates' batch size of 32 on the 2-core CI
 * machine's wasm backend, from bench:tutorial's 100-images-per-class runs (1-conv 30,000 images in 41 s, 3-conv in
 * 68 s, 4-conv ~105 img/s). Used to judge up front whether a cross-validation fits the search budget, since one fold
 * of a CNN costs as much as many head candidates; the search also stops a candidate after any fold that overruns.
 */
const IMAGES_PER_SECOND: Record<CnnArch, number> = { cnn1: 700, cnn3: 430, cnn4: 105 };

export function cnnRecipeName(r: CnnRecipe): string {
  return `cnn:${r.arch}|epochs${r.epochs}+${r.augEpochs}aug|batch${r.batchSize}`;
}

function rows(pixels: Float32Array, idx: readonly number[]): Float32Array {
  const out = new Float32Array(idx.length * PER_IMAGE);
  idx.forEach((i, j) => out.set(pixels.subarray(i * PER_IMAGE, (i + 1) * PER_IMAGE), j * PER_IMAGE));
  return out;
}

export async function fitCnnMember(
  recipe: CnnRecipe, images: CnnImages, labels: Int32Array, idx: readonly number[], numClasses: number, seed: number,
  opts: { signal?: AbortSignal; onEpoch?: (s: CnnEpochStats) => void } = {},
): Promise<{ artifact: CnnArtifact; history: CnnEpochStats[] }> {
  return trainCnn({
    images: rows(await images(), idx),
    labels: Int32Array.from(idx, (i) => labels[i]),
    // Names only label the stored model; the ensemble's artifact carries the real class names.
    classes: Array.from({ length: numClasses }, (_, k) => `class_${k}`),
    arch: recipe.arch,
    epochs: recipe.epochs + recipe.augEpochs,
    batchSize: recipe.batchSize,
    seed,
    augment: recipe.augEpochs > 0 ? { fromEpoch: recipe.epochs } : undefined,
    onEpoch: (s) => {
      // trainCnn awaits onEpoch, so throwing here stops a cancelled run within one epoch.
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
      opts.onEpoch?.(s);
    },
  });
}

export function cnnCandidate(recipe: CnnRecipe, images: CnnImages, labels: Int32Array, numClasses: number): SelectionCandidate {
  const name = cnnRecipeName(recipe);
  const n = labels.length;
  return {
    name,
    describe: () => ({ kind: 'cnn', ...recipe }),
    // k folds each train on (k-1)/k of the images: (k-1) * n images per epoch in all.
    estimateSeconds: (k) => ((k - 1) * n * (recipe.epochs + recipe.augEpochs)) / IMAGES_PER_SECOND[recipe.arch],
    crossValidate: (ctx: CrossValidationContext) =>
      outOfFold(ctx, n, numClasses, async (train, held, f) => {
        const { artifact } = await fitCnnMember(recipe, images, labels, train, numClasses, deriveSeed(ctx.seed, `${name}#${f}`), { signal: ctx.signal });
        const model = await loadCnn(artifact);
        try {
          return model.predict(rows(await images(), held), held.length);
        } finally {
          model.dispose();
        }
      }),
  };
}
