import { getBackboneSpec } from '../backbones/catalog';
import { createEmbedder, type Embedder, type EmbedInput } from '../embeddings/create-embedder';
import type { EmbeddingCache, EmbeddingView } from '../embeddings/embedding-cache';
import type { FeatureMatrix } from '../heads/matrix';
import type { ImageFeatureSet } from '../selection/feature-head-candidate';
import type { FeatureSetSpec } from './types';

export function layersOf(spec: FeatureSetSpec): string[] {
  return spec.layers.length ? spec.layers : getBackboneSpec(spec.backbone).defaultLayers;
}

/** Feature sets sharing a backbone, input size and polarity run as one forward pass exposing the union of their layers. */
export interface EmbedderGroup {
  backbone: string;
  inputSize: number;
  invert: boolean;
  layers: string[];
  specs: FeatureSetSpec[];
}

export function groupFeatureSets(specs: FeatureSetSpec[]): EmbedderGroup[] {
  const groups = new Map<string, EmbedderGroup>();
  for (const spec of specs) {
    const invert = spec.invert === true;
    const key = `${spec.backbone}@${spec.inputSize}${invert ? ':inverted' : ''}`;
    const g = groups.get(key) ?? { backbone: spec.backbone, inputSize: spec.inputSize, invert, layers: [], specs: [] };
    for (const l of layersOf(spec)) if (!g.layers.includes(l)) g.layers.push(l);
    g.specs.push(spec);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** Cuts the group's concatenated vectors into each feature set's columns. */
export function sliceFeatureSets(group: EmbedderGroup, layerDims: readonly number[], vectors: Float32Array[]): Map<string, FeatureMatrix> {
  const offsets = new Map<string, { off: number; dim: number }>();
  let off = 0;
  group.layers.forEach((l, i) => {
    offsets.set(l, { off, dim: layerDims[i] });
    off += layerDims[i];
  });
  const out = new Map<string, FeatureMatrix>();
  for (const spec of group.specs) {
    const parts = layersOf(spec).map((l) => offsets.get(l)!);
    const dim = parts.reduce((s, p) => s + p.dim, 0);
    const data = new Float32Array(vectors.length * dim);
    vectors.forEach((v, r) => {
      let c = r * dim;
      for (const p of parts) {
        data.set(v.subarray(p.off, p.off + p.dim), c);
        c += p.dim;
      }
    });
    out.set(spec.name, { rows: vectors.length, dim, data });
  }
  return out;
}

export interface ExtractOptions {
  cache?: EmbeddingCache;
  threads?: number;
  signal?: AbortSignal;
  /** Called as images are embedded (done / total over all groups and views). */
  onProgress?: (done: number, total: number) => void;
  /** Images per embed call (progress granularity). */
  chunk?: number;
}

/** Embeds every image under every view for every feature set; one forward pass per (group, view, image). */
export async function extractFeatureSets(inputs: EmbedInput[], specs: FeatureSetSpec[], views: EmbeddingView[], opts: ExtractOptions = {}): Promise<Map<string, ImageFeatureSet>> {
  const groups = groupFeatureSets(specs);
  const sets = new Map<string, ImageFeatureSet>(specs.map((s) => [s.name, { name: s.name, views: [] }]));
  const total = groups.length * views.length * inputs.length;
  const chunk = opts.chunk ?? 128;
  let done = 0;
  for (const group of groups) {
    const embedder: Embedder = await createEmbedder({ backbone: group.backbone, layers: group.layers, inputSize: group.inputSize, invert: group.invert, cache: opts.cache, threads: opts.threads });
    try {
      // Chunks of images, every view of a chunk at once: each image is decoded once per group, not once per view.
      const perView: Float32Array[][] = views.map(() => []);
      for (let i = 0; i < inputs.length; i += chunk) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
        const vectors = await embedder.embedViews(inputs.slice(i, i + chunk), views);
        vectors.forEach((vs, v) => perView[v].push(...vs));
        done += Math.min(chunk, inputs.length - i) * views.length;
        opts.onProgress?.(done, total);
      }
      perView.forEach((vectors) => {
        for (const [name, m] of sliceFeatureSets(group, embedder.layerDims, vectors)) sets.get(name)!.views.push(m);
      });
    } finally {
      await embedder.close();
    }
  }
  return sets;
}

/** The views used in training: original, flip (when trainViews >= 2), then seeded augmentations. */
export function trainingViews(trainViews: number, seed: number): EmbeddingView[] {
  const views: EmbeddingView[] = ['orig'];
  if (trainViews >= 2) views.push('flip');
  for (let i = 0; i < trainViews - 2; i++) views.push(`aug:${seed}:${i}`);
  return views;
}
