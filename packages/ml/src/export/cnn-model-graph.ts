import type { CnnClassifierManifest } from '../cnn-classifier/cnn-classifier';
import { CNN_INPUT } from '../cnn/input';
import { int, ints } from '../finetune/graph-builder';
import { OUTPUT_OOD, OUTPUT_PROBABILITIES } from './bundle-format';
import type { ClassifierGraph } from './classifier-graph';
import { kerasCnnGraph } from './keras-cnn-graph';
import { ComposedGraph } from './onnx-compose';

/** The manifest format of a CNN-architecture version (`cnn1|cnn3|cnn4`), checked without loading TF.js. */
export const CNN_MODEL_FORMAT: CnnClassifierManifest['format'] = 'tailor.cnn-classifier';

/**
 * A tutorial-CNN version (architecture cnn1/cnn3/cnn4) as one graph: the network on the 28x28 grey input, and the
 * service's out-of-distribution rule for a model without a feature space, `threshold / max(max probability, 1e-9)`
 * (above 1 = the top class is less sure than the 2nd percentile of held-out images).
 */
export function buildCnnModelGraph(files: Record<string, Buffer>): ClassifierGraph {
  const manifest = JSON.parse(files['manifest.json']!.toString('utf8')) as CnnClassifierManifest;
  if (manifest.format !== CNN_MODEL_FORMAT) throw new Error(`not a CNN classifier artifact (${String(manifest.format)})`);
  const modelJson = files['model.json'];
  const weights = files['weights.bin'];
  if (!modelJson || !weights) throw new Error('the CNN version is missing model.json or weights.bin');
  const c = new ComposedGraph();
  const g = c.g;
  const input = 'image_cnn_28';
  g.input(input, ['N', CNN_INPUT.height, CNN_INPUT.width, 1]);
  const probs = kerasCnnGraph(c, { modelJson: modelJson.toString('utf8'), weights: new Uint8Array(weights) }, input, manifest.arch);
  g.op('Identity', [probs], [], OUTPUT_PROBABILITIES);
  g.output(OUTPUT_PROBABILITIES, ['N', manifest.classes.length]);
  const top = g.op('ReduceMax', [probs], [ints('axes', [1]), int('keepdims', 0)]);
  g.op('Div', [g.scalar(manifest.oodMaxProbThreshold), g.op('Max', [top, g.scalar(1e-9)])], [], OUTPUT_OOD);
  g.output(OUTPUT_OOD, ['N']);
  return {
    onnx: g.encode('tailor_cnn_classifier'),
    inputs: [{ name: input, kind: 'grey', size: CNN_INPUT.width }],
    inGraph: [
      `the tutorial CNN ${manifest.arch} (softmax output; dropout is the identity and batch normalisation uses its moving statistics at inference)`,
      `ood_score: ${manifest.oodMaxProbThreshold} / max(top probability, 1e-9); above 1 = out of distribution`,
    ],
  };
}
