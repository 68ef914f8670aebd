/** @jest-environment ./packages/ml/src/onnx/jest-ort-environment.js */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { trainingViews } from '../pipeline/extract-features';
import { createFinetuneRig, fitFinetune, predictFinetune } from './finetune-candidate';
import { extractCutActivations } from './cut-activations';
import { loadFinetuneRunner } from './finetune-runner';
import { DEFAULT_TOP_TRAIN } from './train-top';
import type { FinetuneRecipe } from './finetune-recipe';

const DIR = path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'datasets', 'nanonets-fashion', 'train');
const CLASSES = ['Bag', 'Trouser', 'Sandal'];

describe('a fine-tuned top, served', () => {
  it('gives the probabilities training computed from cached activations (one graph: frozen trunk + bagged tops)', async () => {
    const files = CLASSES.flatMap((c) => readdirSync(path.join(DIR, c)).sort().slice(0, 8).map((f) => ({ label: CLASSES.indexOf(c), bytes: readFileSync(path.join(DIR, c, f)) })));
    const { trainViews: _, ...train } = { ...DEFAULT_TOP_TRAIN, epochs: 2, batchSize: 8 };
    const recipe: FinetuneRecipe = { backbone: 'mobilenet_v2_1.0_224_quant', inputSize: 96, cut: 'block_13', top: 'conv_1', views: 3, ttaViews: 2, train, serve: 'bagged' };
    const acts = await extractCutActivations(files.map((f) => f.bytes), trainingViews(recipe.views, 1), { backbone: recipe.backbone, cut: recipe.cut, inputSize: recipe.inputSize });
    const labels = Int32Array.from(files, (f) => f.label);
    const rig = await createFinetuneRig(recipe, acts, CLASSES.length);
    const all = files.map((_, i) => i);
    // Two models, as two folds would give, served averaged.
    const models = [await fitFinetune(rig, recipe, acts, labels, all.filter((i) => i % 2), CLASSES.length, 1), await fitFinetune(rig, recipe, acts, labels, all.filter((i) => !(i % 2)), CLASSES.length, 2)];
    const expected = new Float32Array(files.length * CLASSES.length);
    for (const m of models) (await predictFinetune(rig, recipe, acts, all, m.params, CLASSES.length)).forEach((p, i) => (expected[i] += p / models.length));
    const runner = await loadFinetuneRunner(recipe, models.map((m) => new Map(rig.graphs.paramNames.map((p, i) => [p, m.params[i]]))), CLASSES.length);
    const { probs } = await runner.predict(files.map((f) => f.bytes));
    let maxDiff = 0;
    probs.forEach((p, i) => (maxDiff = Math.max(maxDiff, Math.abs(p - expected[i]))));
    expect(maxDiff).toBeLessThan(1e-4);
    // And the models differ from the pre-trained top (the weights really were trained and are served).
    expect(models[0].params.slice(0, rig.sub.params.length).some((p, i) => p.some((v, j) => v !== rig.sub.params[i].init[j]))).toBe(true);
    await runner.release();
    await rig.release();
  });
});
