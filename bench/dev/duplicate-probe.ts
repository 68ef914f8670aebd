/**
 * Development probe: how similar are an image and its copies (re-encoded JPEG, resized, 1-pixel shift, brightness)
 * compared with distinct images' nearest neighbours, in the audit's embedding space? Picks the near-duplicate cut-off.
 * Fashion-MNIST train split (3,000 images) and cifar10-dev.
 *   npx tsx bench/dev/duplicate-probe.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { createEmbedder } from '../../packages/ml/src/embeddings';
import { loadFashionMnist, imageAt } from '../../packages/ml/src/datasets/fashion-mnist';
import { matrixFromRows } from '../../packages/ml/src/heads/matrix';
import { cosineNeighbours } from '../../packages/ml/src/neighbours/cosine-neighbours';
import { embeddingSpace } from '../../packages/ml/src/audit/embedding-space';
import { imageFingerprints, THUMB } from '../../packages/ml/src/audit/image-fingerprint';
import { CIFAR10_DEV_DIR } from '../lib/datasets';

async function variants(png: Buffer): Promise<Buffer[]> {
  const meta = await sharp(png).metadata();
  const w = meta.width!;
  return [
    await sharp(png).jpeg({ quality: 70 }).toBuffer(),
    await sharp(png).resize(w * 2).png().toBuffer(),
    await sharp(png).extend({ left: 1, background: '#000' }).extract({ left: 0, top: 0, width: w, height: meta.height! }).png().toBuffer(),
    await sharp(png).modulate({ brightness: 1.1 }).png().toBuffer(),
  ];
}

async function run(name: string, files: Buffer[], spec: { backbone: string; layers: string[]; inputSize: number }) {
  const emb = await createEmbedder(spec);
  const base = matrixFromRows(await emb.embed(files));
  const space = embeddingSpace(base);
  const z = space.project(base);
  const nn = await cosineNeighbours(z, z, 1, { excludeSelf: true });
  const sims = Array.from(nn.similarity).sort((a, b) => b - a);
  const q = (p: number) => sims[Math.floor(p * (sims.length - 1))].toFixed(4);
  console.log(`${name}: nearest-neighbour cosine of ${files.length} distinct images: max ${q(0)}, 99.9% ${q(0.001)}, 99% ${q(0.01)}, 95% ${q(0.05)}, median ${q(0.5)}`);
  const kinds = ['jpeg q70', 'resized x2', 'shift 1px', 'brightness +10%'];
  const per: number[][] = kinds.map(() => []);
  for (let i = 0; i < 40; i++) {
    const vs = await variants(files[i]);
    const vz = space.project(matrixFromRows(await emb.embed(vs)));
    vs.forEach((_, k) => {
      let dot = 0;
      for (let j = 0; j < z.dim; j++) dot += z.data[i * z.dim + j] * vz.data[k * z.dim + j];
      per[k].push(dot);
    });
  }
  kinds.forEach((k, j) => console.log(`  copy ${k}: min ${Math.min(...per[j]).toFixed(4)}, median ${per[j].sort((a, b) => a - b)[20].toFixed(4)}`));
  // The same with 16x16 thumbnails.
  const fp = await imageFingerprints(files);
  const tz = matrixFromRows(fp.map((f) => f!.thumbnail), THUMB * THUMB);
  const tnn = await cosineNeighbours(tz, tz, 1, { excludeSelf: true });
  const ts = Array.from(tnn.similarity).sort((a, b) => b - a);
  const tq = (p: number) => ts[Math.floor(p * (ts.length - 1))].toFixed(4);
  console.log(`  thumbnails: nearest-neighbour cosine of distinct images: max ${tq(0)}, 99.9% ${tq(0.001)}, 99% ${tq(0.01)}, 95% ${tq(0.05)}, median ${tq(0.5)}`);
  const tper: number[][] = kinds.map(() => []);
  for (let i = 0; i < 40; i++) {
    const vf = await imageFingerprints(await variants(files[i]));
    vf.forEach((f, k) => tper[k].push(f!.thumbnail.reduce((a, v, j) => a + v * fp[i]!.thumbnail[j], 0)));
  }
  kinds.forEach((k, j) => console.log(`  thumbnail copy ${k}: min ${Math.min(...tper[j]).toFixed(4)}, median ${tper[j].sort((a, b) => a - b)[20].toFixed(4)}`));
  await emb.close();
}

async function main() {
  const train = loadFashionMnist('train');
  const fm = await Promise.all(Array.from({ length: 3000 }, (_, i) => sharp(Buffer.from(imageAt(train, 20000 + i)), { raw: { width: 28, height: 28, channels: 1 } }).png().toBuffer()));
  await run('fashion v2@96 b9+12+15+16', fm, { backbone: 'mobilenet_v2_1.0_224_quant', layers: ['pool_block_9', 'pool_block_12', 'pool_block_15', 'pool_block_16'], inputSize: 96 });
  const cif: Buffer[] = [];
  for (const c of readdirSync(CIFAR10_DEV_DIR).sort()) for (const f of readdirSync(path.join(CIFAR10_DEV_DIR, c)).sort()) cif.push(readFileSync(path.join(CIFAR10_DEV_DIR, c, f)));
  await run('cifar edgetpu@160 conv_1', cif, { backbone: 'mobilenet_edgetpu_224_1.0_uint8', layers: ['pool_conv_1'], inputSize: 160 });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
