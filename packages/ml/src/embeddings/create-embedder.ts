import { createHash } from 'node:crypto';
import { applyAugment, drawAugmentParams, flipHorizontal, type AugmentableImage, type AugmentOptions } from '../augment/augment-image';
import { hashSeed } from '../random';
import { getBackboneSpec } from '../backbones/catalog';
import type { ResolveOptions } from '../backbones/resolve-file';
import { decodeToRgb, greyPixelsToRgb } from '../preprocess/decode-image';
import type { FloatImage, ResizeOptions } from '../preprocess/image-types';
import { normalizeRgb } from '../preprocess/normalize';
import { embeddingCacheKey, parseView, type EmbeddingCache, type EmbeddingView } from './embedding-cache';
import { createFeatureEngine, type EngineName } from './feature-engine';

/** Raw 8-bit greyscale pixels (idx datasets), preprocessed exactly as a greyscale image file of them would be. */
export interface GreyPixels {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** Encoded image bytes, raw grey pixels, or an image already preprocessed to inputSize x inputSize (normalised). */
export type EmbedInput = Uint8Array | GreyPixels | FloatImage;

export interface EmbedderOptions {
  /** Default `mobilenet_v2_1.0_224_quant`. */
  backbone?: string;
  /** Pooled or flat layers, concatenated in this order (default: the backbone's defaultLayers, e.g. `pool_block_13`). */
  layers?: string[];
  /** Square input size (default 96: small inputs suit 28x28-class images and are ~6x faster than 224). */
  inputSize?: number;
  /** onnxruntime intra-op threads (default 2). */
  threads?: number;
  /** Default `onnxruntime`; `tfjs` runs the same graph on the TF.js backend picked by initTf(). */
  engine?: EngineName;
  /** Images per forward pass (default 32). */
  batchSize?: number;
  /** When given, inputs with content identity (bytes, grey pixels) are looked up and stored by cache key. */
  cache?: EmbeddingCache;
  /** Resize policy / kernel / alpha handling (size comes from inputSize). */
  resize?: Omit<ResizeOptions, 'size'>;
  /** Options of the `aug:<seed>:<i>` views (default: Keras tutorial values). */
  augment?: AugmentOptions;
  /** Where the backbone file is looked up / downloaded. */
  resolve?: ResolveOptions;
  /**
   * Inverted polarity: every pixel p becomes 255 - p (after resizing), i.e. a negative. Light-on-dark images such as
   * Fashion-MNIST's look like ImageNet's product shots (dark on white) that way, and the backbone describes them
   * differently enough that heads on both polarities make a better ensemble than either alone.
   */
  invert?: boolean;
}

export interface EmbedOptions {
  /** Default 'orig'. */
  view?: EmbeddingView;
}

export interface Embedder {
  readonly backbone: string;
  readonly layers: readonly string[];
  readonly inputSize: number;
  readonly engine: EngineName;
  /** Length of each returned vector (sum of layerDims). */
  readonly dim: number;
  readonly layerDims: readonly number[];
  /** One vector per input, in order. */
  embed(inputs: readonly EmbedInput[], options?: EmbedOptions): Promise<Float32Array[]>;
  /**
   * Every view of every input, as embed() would give them, decoding each image once for all its views (decoding and
   * resizing cost about as much as MobileNetV2's forward pass at 96 px). Result: one array per view.
   */
  embedViews(inputs: readonly EmbedInput[], views: readonly EmbeddingView[]): Promise<Float32Array[][]>;
  /** The cache key this embedder uses for an image's sha256 and a view. */
  cacheKey(sha256: string, view?: EmbeddingView): string;
  close(): Promise<void>;
}

const isGrey = (x: EmbedInput): x is GreyPixels => !(x instanceof Uint8Array) && 'pixels' in x;

/** sha256 of what identifies an input's content: the file bytes, or the grey pixels with their size. */
function identity(x: EmbedInput): string {
  const h = createHash('sha256');
  if (x instanceof Uint8Array) h.update(x);
  else if (isGrey(x)) h.update(`grey:${x.width}x${x.height}:`).update(x.pixels);
  else h.update(`float:${x.width}x${x.height}:`).update(new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
  return h.digest('hex');
}

/** Decoding, resizing, views (flip, seeded augmentations), normalisation and inversion, exactly as the embedder does them. */
export interface ImagePreprocessor {
  readonly inputSize: number;
  toFloat(x: EmbedInput, view: EmbeddingView, id: string): Promise<FloatImage>;
  /** Decodes and resizes once; `applyView` then makes any view of it (views of one image share the decode). */
  decode(x: EmbedInput): Promise<AugmentableImage>;
  applyView(img: AugmentableImage, view: EmbeddingView, id: string): FloatImage;
}

export function createImagePreprocessor(options: Pick<EmbedderOptions, 'backbone' | 'inputSize' | 'resize' | 'augment' | 'invert'> = {}): ImagePreprocessor {
  const spec = getBackboneSpec(options.backbone ?? 'mobilenet_v2_1.0_224_quant');
  const inputSize = options.inputSize ?? 96;
  const resize: ResizeOptions = { ...options.resize, size: inputSize };
  const invertSum = 255 * spec.normalization.scale + 2 * spec.normalization.offset;
  const decode = async (x: EmbedInput): Promise<AugmentableImage> => {
    if (x instanceof Uint8Array) return decodeToRgb(x, resize);
    if (isGrey(x)) return greyPixelsToRgb(x.pixels, x.width, x.height, resize);
    if (x.width !== inputSize || x.height !== inputSize) throw new Error(`preprocessed image is ${x.width}x${x.height}, embedder expects ${inputSize}`);
    return x;
  };
  const applyView = (decoded: AugmentableImage, view: EmbeddingView, id: string): FloatImage => {
    let img = decoded;
    const v = parseView(view);
    if (v.kind === 'flip') img = flipHorizontal(img);
    else if (v.kind === 'aug') {
      // Seeded per image content, so the same (image, view) always gets the same transform and cache entry.
      img = applyAugment(img, drawAugmentParams(hashSeed(`${v.seed}:${v.index}:${id}`), options.augment), options.augment?.valueRange);
    }
    const float = img.data instanceof Float32Array ? { width: img.width, height: img.height, data: img.data } : normalizeRgb({ width: img.width, height: img.height, data: img.data }, spec.normalization);
    // 255 - p in normalised units (v = p * scale + offset  =>  v' = 255 * scale + 2 * offset - v; -v for [-1, 1]),
    // applied after every other step so that encoded, grey and pre-normalised inputs (the prediction path) are
    // inverted alike.
    return options.invert ? { ...float, data: float.data.map((val) => invertSum - val) } : float;
  };
  return { inputSize, decode, applyView, toFloat: async (x, view, id) => applyView(await decode(x), view, id) };
}

/** sha256 of what identifies an input's content (cache keys, per-image augmentation seeds). */
export const inputIdentity = identity;

export async function createEmbedder(options: EmbedderOptions = {}): Promise<Embedder> {
  const backbone = options.backbone ?? 'mobilenet_v2_1.0_224_quant';
  const layers = options.layers ?? getBackboneSpec(backbone).defaultLayers;
  const inputSize = options.inputSize ?? 96;
  const batchSize = options.batchSize ?? 32;
  const engineName = options.engine ?? 'onnxruntime';
  const engine = await createFeatureEngine(engineName, backbone, layers, options.threads ?? 2, options.resolve);
  const cache = options.cache;
  // Non-default preprocessing/augmentation gets its own cache namespace so stale vectors are never reused.
  const variantOf = (view: EmbeddingView) => {
    const parts: Record<string, unknown> = { ...options.resize };
    if (options.invert) parts.invert = true;
    if (view.startsWith('aug:') && options.augment) parts.augment = options.augment;
    const json = JSON.stringify(parts, Object.keys(parts).sort());
    return json === '{}' ? undefined : `v${hashSeed(json).toString(16)}`;
  };
  const cacheKey = (sha256: string, view: EmbeddingView = 'orig') =>
    embeddingCacheKey({ sha256, backbone, layers, inputSize, view, variant: variantOf(view) });
  const preprocessor = createImagePreprocessor({ ...options, backbone, inputSize });
  const { toFloat } = preprocessor;

  const prepareBatch = async (items: { x: EmbedInput; id: string }[], view: EmbeddingView) => {
    const imgs = await Promise.all(items.map((it) => toFloat(it.x, view, it.id)));
    const per = inputSize * inputSize * 3;
    const data = new Float32Array(per * imgs.length);
    imgs.forEach((img, i) => data.set(img.data, i * per));
    return { data, shape: [imgs.length, inputSize, inputSize, 3] as [number, number, number, number] };
  };

  return {
    backbone,
    layers,
    inputSize,
    engine: engineName,
    dim: engine.dim,
    layerDims: engine.layerDims,
    cacheKey,
    async embed(inputs, embedOptions = {}) {
      const view = embedOptions.view ?? 'orig';
      parseView(view);
      const out = new Array<Float32Array>(inputs.length);
      // Content hashes are only needed to key the cache and seed per-image augmentations.
      const needIds = cache !== undefined || view.startsWith('aug:');
      const ids = inputs.map((x) => (needIds ? identity(x) : ''));
      const todo: { x: EmbedInput; id: string; index: number }[] = [];
      if (cache) {
        const hits = await Promise.all(ids.map((id) => cache.get(cacheKey(id, view))));
        hits.forEach((h, i) => {
          // A vector of the wrong width (e.g. written by an older layer set under a reused key) is recomputed.
          if (h && h.length === engine.dim) out[i] = h;
          else todo.push({ x: inputs[i], id: ids[i], index: i });
        });
      } else {
        inputs.forEach((x, i) => todo.push({ x, id: ids[i], index: i }));
      }
      const batches: (typeof todo)[] = [];
      for (let i = 0; i < todo.length; i += batchSize) batches.push(todo.slice(i, i + batchSize));
      // Decode batch k+1 while the engine runs batch k: sharp works on libuv's thread pool, so it overlaps the forward pass.
      const prepare = (k: number) => {
        const p = prepareBatch(batches[k], view);
        p.catch(() => undefined); // surfaced when awaited; never an unhandled rejection if the forward pass fails first
        return p;
      };
      let next = batches.length ? prepare(0) : undefined;
      for (let k = 0; k < batches.length; k++) {
        const ready = await next!;
        next = k + 1 < batches.length ? prepare(k + 1) : undefined;
        const flat = await engine.run(ready.data, ready.shape);
        const writes: Promise<void>[] = [];
        batches[k].forEach((it, j) => {
          const vec = flat.slice(j * engine.dim, (j + 1) * engine.dim);
          out[it.index] = vec;
          if (cache) writes.push(cache.set(cacheKey(it.id, view), vec));
        });
        await Promise.all(writes);
      }
      return out;
    },
    async embedViews(inputs, views) {
      views.forEach((v) => parseView(v));
      const out = views.map(() => new Array<Float32Array>(inputs.length));
      const needIds = cache !== undefined || views.some((v) => v.startsWith('aug:'));
      const ids = inputs.map((x) => (needIds ? identity(x) : ''));
      // Which (image, view) pairs the cache does not have.
      const missing = views.map(() => new Set<number>());
      if (cache) {
        await Promise.all(
          views.map(async (view, v) => {
            const hits = await Promise.all(ids.map((id) => cache.get(cacheKey(id, view))));
            hits.forEach((h, i) => (h && h.length === engine.dim ? (out[v][i] = h) : missing[v].add(i)));
          }),
        );
      } else {
        for (const m of missing) inputs.forEach((_, i) => m.add(i));
      }
      const todo = inputs.map((_, i) => i).filter((i) => missing.some((m) => m.has(i)));
      const decodeBatch = (start: number) => {
        const p = Promise.all(todo.slice(start, start + batchSize).map((i) => preprocessor.decode(inputs[i])));
        p.catch(() => undefined); // surfaced when awaited
        return p;
      };
      let next = todo.length ? decodeBatch(0) : undefined;
      for (let start = 0; start < todo.length; start += batchSize) {
        const decoded = await next!;
        next = start + batchSize < todo.length ? decodeBatch(start + batchSize) : undefined;
        const idx = todo.slice(start, start + batchSize);
        for (const [v, view] of views.entries()) {
          const rows = idx.map((i, j) => ({ i, j })).filter(({ i }) => missing[v].has(i));
          if (!rows.length) continue;
          const per = inputSize * inputSize * 3;
          const data = new Float32Array(per * rows.length);
          rows.forEach(({ i, j }, r) => data.set(preprocessor.applyView(decoded[j], view, ids[i]).data, r * per));
          const flat = await engine.run(data, [rows.length, inputSize, inputSize, 3]);
          const writes: Promise<void>[] = [];
          rows.forEach(({ i }, r) => {
            const vec = flat.slice(r * engine.dim, (r + 1) * engine.dim);
            out[v][i] = vec;
            if (cache) writes.push(cache.set(cacheKey(ids[i], view), vec));
          });
          await Promise.all(writes);
        }
      }
      return out;
    },
    close: () => engine.close(),
  };
}
