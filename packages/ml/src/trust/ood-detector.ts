import type { FeatureMatrix } from '../heads/matrix';
import { type ArtifactOod, getTensor, putTensor } from '../prediction/artifact';
import { centroidScores, fitCentroids } from '../prediction/ood';
import type { OodChoice } from './choose-ood';
import { fitKnnOod, knnScores, type KnnOodModel } from './knn-ood';

/** Raw OOD scores of feature rows (divide by the artifact's threshold for `oodScore`). */
export interface OodDetector {
  score(x: FeatureMatrix): Float32Array;
}

/** The chosen detector fitted on every training image, written into the artifact's files. */
export function oodToArtifact(choice: OodChoice, x: FeatureMatrix, labels: Int32Array, c: number, files: Record<string, Buffer>): ArtifactOod {
  const common = { featureSet: choice.space, percentile: choice.percentile, threshold: choice.threshold, measured: { heldOutClassAuroc: choice.auroc, thresholdFrom: 'out-of-fold' as const } };
  if (choice.spec.method === 'knn') {
    const m = fitKnnOod(x, choice.spec.k, choice.spec.standardize);
    return {
      ...common,
      method: 'knn',
      k: m.k,
      tensors: {
        bank: putTensor(files, 'ood/bank.f32', m.bank, [m.rows, m.dim]),
        ...(m.standardizer
          ? { mean: putTensor(files, 'ood/mean.f32', m.standardizer.mean, [m.dim]), std: putTensor(files, 'ood/std.f32', m.standardizer.std, [m.dim]) }
          : {}),
      },
    };
  }
  const centroids = fitCentroids(x, labels, c);
  return {
    ...common,
    method: 'nearest-centroid',
    tensors: {
      mean: putTensor(files, 'ood/mean.f32', centroids.standardizer.mean, [x.dim]),
      std: putTensor(files, 'ood/std.f32', centroids.standardizer.std, [x.dim]),
      centroids: putTensor(files, 'ood/centroids.f32', centroids.centroids, [c, x.dim]),
    },
  };
}

export function loadOodDetector(o: ArtifactOod, files: Record<string, Buffer>, c: number): OodDetector {
  if (o.method === 'knn') {
    const bank = getTensor(files, o.tensors.bank);
    const [rows, dim] = o.tensors.bank.shape;
    const model: KnnOodModel = {
      k: o.k, rows, dim, bank,
      ...(o.tensors.mean && o.tensors.std ? { standardizer: { mean: getTensor(files, o.tensors.mean), std: getTensor(files, o.tensors.std) } } : {}),
    };
    return { score: (x) => knnScores(model, x) };
  }
  const model = {
    standardizer: { mean: getTensor(files, o.tensors.mean), std: getTensor(files, o.tensors.std) },
    centroids: getTensor(files, o.tensors.centroids),
    numClasses: c,
  };
  return { score: (x) => centroidScores(model, x) };
}
