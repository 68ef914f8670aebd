/**
 * Development probe for semi-supervised learning on frozen features: Fashion-MNIST, 100/class labelled, N unlabelled
 * train-split images, scored on a further validation sample of the *train* split (never the test set).
 *   npx tsx bench/dev/semi-probe.ts --seed 1 --unlabeled 5000 --val 2000 --sets v2@96:b3-16,v2@160:b3-16
 * Features are cached under /tmp/semi-probe so repeated method comparisons only pay for the heads.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadFashionMnist, sampleStratified } from '../../packages/ml/src/datasets/fashion-mnist';
import type { FeatureMatrix } from '../../packages/ml/src/heads/matrix';
import { createRng, deriveSeed, shuffleInPlace } from '../../packages/ml/src/random';
import { extractFeatureSets } from '../../packages/ml/src/pipeline/extract-features';
import type { FeatureSetSpec } from '../../packages/ml/src/pipeline/types';
import type { ImageFeatureSet } from '../../packages/ml/src/selection/feature-head-candidate';
import { parseFlags, numberFlag } from '../lib/args';
import { greyInputs } from '../lib/fashion-inputs';
import { runMethods } from './semi-probe-methods';

const flags = parseFlags(process.argv.slice(2));
const seed = numberFlag(flags, 'seed', 1);
const nUnl = numberFlag(flags, 'unlabeled', 5000);
const nVal = numberFlag(flags, 'val', 2000);
const setNames = String(flags.get('sets') ?? 'v2@96:b3-16').split(',');
const dir = '/tmp/semi-probe';
mkdirSync(dir, { recursive: true });

const V2 = 'mobilenet_v2_1.0_224_quant';
const V1 = 'mobilenet_v1_1.0_224_quant_embedding';
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
function allSetsSafe(): FeatureSetSpec[] {
  const v2 = (size: number, blocks: number[], name: string, invert = false): FeatureSetSpec => ({ name, backbone: V2, inputSize: size, layers: blocks.map((b) => `pool_block_${b}`), ...(invert ? { invert } : {}) });
  const v1 = (size: number, convs: number[], name: string): FeatureSetSpec => ({ name, backbone: V1, inputSize: size, layers: convs.map((c) => `pool_conv_${c}`) });
  return [
    v2(96, range(3, 16), 'v2@96:b3-16'),
    v2(160, range(3, 16), 'v2@160:b3-16'),
    v2(96, [9, 12, 15, 16], 'v2@96:b9+12+15+16'),
    v2(96, range(3, 16), 'v2@96-inverted:b3-16', true),
    v1(224, [11, 12, 13], 'v1@224:c11-13'),
    v1(128, [11, 12, 13], 'v1@128:c11-13'),
  ];
}

async function main() {
  const train = loadFashionMnist('train');
  const idx = sampleStratified(train.labels, 100, seed);
  const taken = new Set(idx);
  const rest = Array.from({ length: train.count }, (_, i) => i).filter((i) => !taken.has(i));
  shuffleInPlace(rest, createRng(deriveSeed(seed, 'unlabeled')));
  const unl = rest.slice(0, nUnl);
  const val = rest.slice(nUnl, nUnl + nVal);
  const all = [...idx, ...unl, ...val];
  const labels = Int32Array.from(all, (i) => train.labels[i]);
  const specs = allSetsSafe().filter((s) => setNames.includes(s.name));
  if (specs.length !== setNames.length) throw new Error(`unknown sets; known: ${allSetsSafe().map((s) => s.name).join(' ')}`);
  const sets: ImageFeatureSet[] = [];
  for (const spec of specs) {
    const file = (v: number) => `${dir}/${spec.name.replace(/[^a-z0-9@+-]/gi, '_')}-s${seed}-u${nUnl}-v${nVal}-view${v}.f32`;
    if (existsSync(file(0)) && existsSync(file(1))) {
      const views = [0, 1].map((v) => {
        const data = new Float32Array(readFileSync(file(v)).buffer.slice(0));
        return { rows: all.length, dim: data.length / all.length, data } as FeatureMatrix;
      });
      sets.push({ name: spec.name, views });
      continue;
    }
    const t = performance.now();
    const got = (await extractFeatureSets(greyInputs(train, all), [spec], ['orig', 'flip'])).get(spec.name)!;
    console.log(`embedded ${spec.name}: ${((performance.now() - t) / 1000).toFixed(0)} s`);
    got.views.forEach((m, v) => writeFileSync(file(v), Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength)));
    sets.push(got);
  }
  const L = idx.map((_, i) => i);
  const U = unl.map((_, i) => idx.length + i);
  const V = val.map((_, i) => idx.length + unl.length + i);
  await runMethods({ sets, labels, L, U, V, seed, methods: String(flags.get('methods') ?? 'sup,st') });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
