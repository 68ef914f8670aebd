/** @jest-environment ./packages/ml/src/onnx/jest-ort-environment.js */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { flipHorizontal } from '../augment/augment-image';
import { preprocessImage } from '../preprocess/preprocess-image';
import { createEmbedder, type Embedder } from './create-embedder';
import { embeddingCacheKey, MemoryEmbeddingCache } from './embedding-cache';

const DATASETS = process.env.TAILOR_DATASETS_DIR ?? path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'datasets');
const classDir = (c: string) => path.join(DATASETS, 'nanonets-fashion', 'test', c);
const firstJpegs = (c: string, n: number) => readdirSync(classDir(c)).sort().slice(0, n).map((f) => readFileSync(path.join(classDir(c), f)));
const [sneaker1, sneaker2] = firstJpegs('Sneaker', 2);
const [trouser1] = firstJpegs('Trouser', 1);

/** A real cache that counts writes, to show which images were actually embedded. */
class CountingCache extends MemoryEmbeddingCache {
  sets = 0;
  override async set(key: string, v: Float32Array) {
    this.sets++;
    return super.set(key, v);
  }
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return d / Math.sqrt(na * nb);
};

describe('createEmbedder (onnxruntime)', () => {
  let embedder: Embedder;
  beforeAll(async () => {
    embedder = await createEmbedder({ layers: ['pool_block_13', 'pool_conv_1'], inputSize: 96, threads: 2 });
  });
  afterAll(() => embedder.close());

  it('returns one concatenated pooled vector per image, in order', async () => {
    expect(embedder.dim).toBe(160 + 1280);
    expect(embedder.layerDims).toEqual([160, 1280]);
    const [a, b, c, a2] = await embedder.embed([sneaker1, trouser1, sneaker2, sneaker1]);
    for (const v of [a, b, c]) {
      expect(v).toHaveLength(1440);
      expect(v.every(Number.isFinite)).toBe(true);
    }
    expect(a2).toEqual(a);
    // Same class is closer than a different class in the backbone's feature space.
    expect(cosine(a, c)).toBeGreaterThan(cosine(a, b));
    // conv_1 ends in RELU6, so its pooled part is non-negative (block outputs are linear bottlenecks and may be negative).
    expect(Math.min(...a.subarray(160))).toBeGreaterThanOrEqual(0);
  });

  it('embeds raw grey pixels exactly as their JPEG', async () => {
    const { data } = await sharp(sneaker1).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const [fromPixels] = await embedder.embed([{ pixels: new Uint8Array(data), width: 28, height: 28 }]);
    const [fromJpeg] = await embedder.embed([sneaker1]);
    expect(fromPixels).toEqual(fromJpeg);
  });

  it('flip view == embedding the mirrored image; aug views are deterministic per (seed, i)', async () => {
    const [flipped] = await embedder.embed([sneaker1], { view: 'flip' });
    const mirrored = flipHorizontal(await preprocessImage(sneaker1, { size: 96 }));
    const [viaFloat] = await embedder.embed([mirrored]);
    expect(flipped).toEqual(viaFloat);
    const [orig] = await embedder.embed([sneaker1]);
    const [aug1] = await embedder.embed([sneaker1], { view: 'aug:7:0' });
    const [aug1again] = await embedder.embed([sneaker1], { view: 'aug:7:0' });
    const [aug2] = await embedder.embed([sneaker1], { view: 'aug:7:1' });
    expect(aug1again).toEqual(aug1);
    expect(aug1).not.toEqual(orig);
    expect(aug2).not.toEqual(aug1);
    await expect(embedder.embed([sneaker1], { view: 'rot90' as never })).rejects.toThrow(/bad embedding view/);
  });

  it('rejects a batch containing bytes that are not an image, with the typed error', async () => {
    await expect(embedder.embed([sneaker1, Buffer.from('not an image')])).rejects.toMatchObject({ code: 'INVALID_IMAGE' });
  });

  it('inverted polarity embeds the negative image (255 - p), for files, grey pixels and flips alike, under its own cache key', async () => {
    const { data } = await sharp(sneaker1).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const negative = { pixels: Uint8Array.from(data, (p) => 255 - p), width: 28, height: 28 };
    const cache = new MemoryEmbeddingCache(100);
    const inverted = await createEmbedder({ layers: ['pool_block_13', 'pool_conv_1'], inputSize: 96, threads: 2, invert: true, cache });
    try {
      const [fromJpeg] = await inverted.embed([sneaker1]);
      const [plainOfNegative] = await embedder.embed([negative]);
      // Equal up to where the 8-bit rounding after resizing happens (before vs after the inversion).
      expect(cosine(fromJpeg, plainOfNegative)).toBeGreaterThan(0.9995);
      const [plain] = await embedder.embed([sneaker1]);
      expect(cosine(plain, fromJpeg)).toBeLessThan(0.95); // really a different view of the image
      const [flipped] = await inverted.embed([sneaker1], { view: 'flip' });
      const [plainFlippedNegative] = await embedder.embed([negative], { view: 'flip' });
      expect(cosine(flipped, plainFlippedNegative)).toBeGreaterThan(0.9995);
      expect(inverted.cacheKey('abc')).not.toBe(embedder.cacheKey('abc'));
    } finally {
      await inverted.close();
    }
  });

  it('splits into batches of 32 without changing results', async () => {
    const inputs = [...firstJpegs('Bag', 9), ...firstJpegs('Coat', 9), ...firstJpegs('Dress', 9), ...firstJpegs('Shirt', 9)];
    expect(inputs).toHaveLength(36);
    const all = await embedder.embed(inputs);
    const single = await embedder.embed([inputs[33]]);
    expect(all).toHaveLength(36);
    for (let j = 0; j < 1440; j += 37) expect(all[33][j]).toBeCloseTo(single[0][j], 4);
  });
});

describe('embedding cache', () => {
  it('a retrain only embeds new images', async () => {
    const cache = new CountingCache();
    const embedder = await createEmbedder({ layers: ['pool_block_13'], inputSize: 96, cache });
    try {
      const first = await embedder.embed([sneaker1, trouser1]);
      expect(cache.sets).toBe(2);
      expect(cache.misses).toBe(2);
      const second = await embedder.embed([sneaker1, trouser1, sneaker2]);
      expect(cache.sets).toBe(3); // only sneaker2 was computed
      expect(cache.hits).toBe(2);
      expect(second[0]).toEqual(first[0]);
      expect(second[1]).toEqual(first[1]);
      // Views are cached separately.
      await embedder.embed([sneaker1], { view: 'flip' });
      expect(cache.sets).toBe(4);
      const key = embedder.cacheKey('ab'.repeat(32), 'aug:3:1');
      expect(key).toBe(embeddingCacheKey({ sha256: 'ab'.repeat(32), backbone: 'mobilenet_v2_1.0_224_quant', layers: ['pool_block_13'], inputSize: 96, view: 'aug:3:1' }));
      expect(key).toBe(`mobilenet_v2_1.0_224_quant/pool_block_13/96/aug-3-1/${'ab'.repeat(32)}`);
    } finally {
      await embedder.close();
    }
  });

  it('LRU evicts the least recently used entry', async () => {
    const lru = new MemoryEmbeddingCache(2);
    await lru.set('a', Float32Array.of(1));
    await lru.set('b', Float32Array.of(2));
    await lru.get('a');
    await lru.set('c', Float32Array.of(3));
    expect(await lru.get('b')).toBeUndefined();
    expect(await lru.get('a')).toEqual(Float32Array.of(1));
    expect(lru.size).toBe(2);
  });

  it('non-default preprocessing gets its own key namespace', async () => {
    const e = await createEmbedder({ inputSize: 96, resize: { policy: 'letterbox' } });
    try {
      expect(e.cacheKey('00'.repeat(32))).toMatch(/^mobilenet_v2_1\.0_224_quant\/pool_block_13\/96\/orig\/v[0-9a-f]+\/0{64}$/);
    } finally {
      await e.close();
    }
  });
});

describe('createEmbedder (tfjs engine)', () => {
  it('matches onnxruntime on the same images', async () => {
    const opts = { backbone: 'mobilenet_v1_1.0_224_quant_embedding', inputSize: 96 } as const;
    const ort = await createEmbedder(opts);
    const tfjs = await createEmbedder({ ...opts, engine: 'tfjs' });
    try {
      expect(ort.dim).toBe(1024);
      const a = await ort.embed([sneaker1, trouser1]);
      const b = await tfjs.embed([sneaker1, trouser1]);
      for (let i = 0; i < 2; i++) expect(cosine(a[i], b[i])).toBeGreaterThan(0.9999);
    } finally {
      await ort.close();
      await tfjs.close();
    }
  });
});

describe('embedViews', () => {
  it('gives every view exactly what embed() gives for it, and fills only what the cache lacks', async () => {
    const views = ['orig', 'flip', 'aug:7:0'] as const;
    const inputs = [sneaker1, trouser1, sneaker2];
    const plain = await createEmbedder({ layers: ['pool_block_13'], inputSize: 96 });
    const expected = await Promise.all(views.map((view) => plain.embed(inputs, { view })));
    const got = await plain.embedViews(inputs, [...views]);
    got.forEach((vs, v) => vs.forEach((vec, i) => expect(Array.from(vec)).toEqual(Array.from(expected[v][i]))));
    await plain.close();
    // With a cache holding one view of one image, only the other pairs are computed and stored.
    const cache = new CountingCache(100);
    const cached = await createEmbedder({ layers: ['pool_block_13'], inputSize: 96, cache });
    await cached.embed([inputs[1]], { view: 'flip' });
    const before = cache.sets;
    const again = await cached.embedViews(inputs, [...views]);
    expect(cache.sets - before).toBe(inputs.length * views.length - 1);
    again.forEach((vs, v) => vs.forEach((vec, i) => expect(Array.from(vec)).toEqual(Array.from(expected[v][i]))));
    await cached.close();
  });
});
