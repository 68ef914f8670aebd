import type { ImageFeatureSet } from '../selection/feature-head-candidate';

/**
 * One feature set over the labelled images followed by the unlabelled ones (every view): the layout the self-trained
 * heads read, where rows >= labelled count are unlabelled. The labelled set itself stays as it was for everything else.
 */
export function joinRows(labeled: ImageFeatureSet, unlabeled: ImageFeatureSet): ImageFeatureSet {
  return {
    name: labeled.name,
    views: labeled.views.map((a, v) => {
      const b = unlabeled.views[v];
      if (a.dim !== b.dim) throw new Error(`joinRows: ${labeled.name} view ${v} has ${a.dim} vs ${b.dim} features`);
      const data = new Float32Array((a.rows + b.rows) * a.dim);
      data.set(a.data);
      data.set(b.data, a.rows * a.dim);
      return { rows: a.rows + b.rows, dim: a.dim, data };
    }),
  };
}
