import type { BundleModelFormat, BundlePreprocessing } from './bundle-format';
import { backboneLicense } from './backbone-licenses';

/** What the service knows about a version beyond its artifact: who, when, on what data, and how it scored. */
export interface VersionFacts {
  modelId: string;
  modelName: string | null;
  version: number;
  createdAt: string;
  architecture: string;
  seed: number;
  settings: Record<string, unknown>;
  /** The version's evaluation report as stored (per-class metrics, confusion cells, candidates, chosen ensemble...). */
  metrics: Record<string, unknown>;
  /** sha256 of the canonical manifest of the images the version trained on (null for versions older than the hash). */
  datasetSha256: string | null;
  /** Images per class the version trained on (from its run's snapshot). */
  imagesPerClass: Array<{ label: string; count: number }>;
  /** Unlabelled images in its snapshot (training may learn from them without labels). */
  unlabeledImages?: number;
}

export interface ModelCardInput {
  facts: VersionFacts;
  classes: string[];
  format: BundleModelFormat;
  preprocessing: BundlePreprocessing;
  backbones: string[];
  oodThreshold: { value: number; rule: string };
  /** Temperature scaling and per-class "not sure" thresholds, when the version has them. */
  trust?: { temperature: number; uncertainBelow: number[] | null; targetPrecision: number | null };
  files: string[];
}

const pct = (x: unknown) => (typeof x === 'number' ? `${(100 * x).toFixed(2)}%` : '—');
const num = (x: unknown, digits = 3) => (typeof x === 'number' ? x.toFixed(digits) : '—');
/** Markdown table cells: no pipes or newlines from user-chosen names. */
const cell = (s: unknown) => String(s).replace(/\|/g, '\\|').replace(/\s+/g, ' ');
const table = (head: string[], rows: unknown[][]) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');

interface Candidate {
  name: string;
  cvAccuracy?: number;
  cvLogLoss?: number;
  seconds?: number;
}

/**
 * The bundle's README.md: a model card (Mitchell et al., 2019) written from the version's own records — the data it
 * trained on, the candidates the search tried and the ensemble it chose, the evaluation, the out-of-distribution rule,
 * intended use and limits, and the licence and source of the pre-trained weights inside the graph.
 */
export function writeModelCard(input: ModelCardInput): string {
  const { facts, classes, preprocessing } = input;
  const m = facts.metrics;
  const title = facts.modelName ? `${facts.modelName} (model ${facts.modelId})` : `Model ${facts.modelId}`;
  const total = facts.imagesPerClass.reduce((s, c) => s + c.count, 0);
  const out: string[] = [];
  out.push(`# ${title}, version ${facts.version}`, '');
  out.push(
    `An image classifier exported from Tailor on ${new Date().toISOString().slice(0, 10)} as ${input.format === 'onnx' ? 'one ONNX graph (opset 13)' : 'a TensorFlow.js graph model'}. ` +
      `It sorts an image into one of ${classes.length} classes: ${classes.map((c) => `\`${c}\``).join(', ')}.`,
    '',
  );
  out.push(
    table(['', ''], [
      ['model', facts.modelId],
      ['version', `${facts.version} (trained ${facts.createdAt})`],
      ['architecture', facts.architecture],
      ['files', input.files.join(', ')],
      ['dataset manifest sha256', facts.datasetSha256 ?? 'not recorded (version trained before datasets were hashed)'],
    ]),
    '',
  );

  out.push('## Use it', '');
  if (input.format === 'onnx') {
    out.push(
      'Offline, with the Tailor CLI (onnxruntime, no server): the same preprocessing as the service, the same JSON as `/v1` predict.',
      '',
      '```bash',
      'tailor run bundle.zip photo.jpg other.png --json',
      '```',
      '',
    );
  } else {
    out.push(
      'In a browser or Node with TensorFlow.js: `tf.loadGraphModel` on `model.json` (+ `weights.bin`), then',
      '`model.execute({<input>: tensor}, ["probabilities", "ood_score"])`. The Tailor dashboard has a page that does this in the browser.',
      '',
    );
  }
  out.push('Inputs (made from the image file as `preprocessing.json` describes; everything else happens inside the graph):', '');
  out.push(table(['input', 'shape', 'how it is made'], preprocessing.inputs.map((i) => [i.name, JSON.stringify(i.shape), Object.values(i.steps).join('; ')])), '');
  out.push('Inside the graph:', '', ...preprocessing.inGraph.map((s) => `- ${s}`), '');
  out.push(
    'Outputs: `probabilities` [N, classes] in the order of `labels.json`; `ood_score` [N], above 1 = unlike every trained class.',
    '',
    '**Parity.** Given the inputs the service\'s preprocessing makes (which `tailor run` uses), the ONNX graph reproduces the hosted',
    'prediction: the same top-1 label and probabilities within 1e-4 (TF.js: 1e-3, its float kernels differ). A re-implementation',
    'of the decode and resize with another library (PIL, canvas) changes pixels, and with them the last digits of the probabilities.',
    '',
  );

  out.push('## Training data', '');
  out.push(
    `${total} labelled images in ${facts.imagesPerClass.length} classes${facts.unlabeledImages ? `, and ${facts.unlabeledImages} unlabelled images` : ''}, uploaded by the model's owner.`,
    facts.datasetSha256
      ? `The dataset manifest hash \`${facts.datasetSha256}\` is the sha256 of the canonical manifest of exactly these images ` +
          '(one `<sha256 of the file>,<category>` line per image, sorted, each ending in a newline): `GET /v1/models/<id>/dataset.zip` exports ' +
          'them with a `manifest.csv`, and the same hash says whether a dataset is the one this version learned from.'
      : '',
    '',
  );
  out.push(table(['class', 'images'], facts.imagesPerClass.map((c) => [c.label, c.count])), '');

  out.push('## Training', '');
  out.push(`Seed ${facts.seed}. Settings: \`${JSON.stringify(facts.settings)}\`.`, '');
  const candidates = (Array.isArray(m.candidates) ? m.candidates : []) as Candidate[];
  const chosen = m.chosen as { members?: string[]; cvAccuracy?: number } | undefined;
  if (candidates.length) {
    const shown = [...candidates].sort((a, b) => (b.cvAccuracy ?? 0) - (a.cvAccuracy ?? 0)).slice(0, 30);
    out.push(`Candidates tried (${candidates.length}; cross-validated on the uploaded images, best first${candidates.length > shown.length ? `, top ${shown.length} shown` : ''}):`, '');
    out.push(table(['candidate', 'cv accuracy', 'cv log-loss', 'seconds'], shown.map((c) => [c.name, pct(c.cvAccuracy), num(c.cvLogLoss), num(c.seconds, 1)])), '');
  }
  if (chosen?.members?.length) {
    out.push(`Chosen: an average of ${chosen.members.length} member(s), out-of-fold accuracy ${pct(chosen.cvAccuracy)} (the figure the choice maximised):`, '');
    out.push(...chosen.members.map((x) => `- \`${x}\``), '');
  } else if (facts.architecture.startsWith('cnn')) {
    out.push(`The tutorial CNN \`${facts.architecture}\`, trained from scratch on 28x28 greyscale images (no pre-trained weights).`, '');
  }

  out.push('## Evaluation', '');
  const method = String(m.method ?? 'unknown');
  const how =
    method === 'holdout'
      ? `a held-out part of the uploaded images (${String(m.heldOut ?? '?')} images) the model did not train on`
      : method === 'nested-cross-validation'
        ? `nested ${String(m.folds ?? '')}-fold cross-validation on the uploaded images (the choice of candidates cross-validated too)`
        : `${String(m.folds ?? '')}-fold cross-validation on the uploaded images (out-of-fold predictions)`;
  out.push(`Measured by ${how}. Accuracy ${pct(m.accuracy)}, macro-F1 ${pct(m.macroF1)}, expected calibration error ${num((m.calibration as { ece?: number } | undefined)?.ece)} over ${String(m.count ?? '?')} images.`, '');
  const perClass = (Array.isArray(m.perClass) ? m.perClass : []) as Array<{ label: string; precision: number; recall: number; f1: number; support: number }>;
  if (perClass.length) out.push(table(['class', 'precision', 'recall', 'F1', 'support'], perClass.map((c) => [c.label, pct(c.precision), pct(c.recall), pct(c.f1), c.support])), '');
  const confusions = ((Array.isArray(m.misclassified) ? m.misclassified : []) as Array<{ actual: string; predicted: string; count: number }>)
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count)
    .slice(0, 5);
  out.push('Top confusions:', '');
  out.push(confusions.length ? table(['actual', 'predicted as', 'images'], confusions.map((c) => [c.actual, c.predicted, c.count])) : 'none: every evaluated image was classified correctly.', '');

  out.push('## Out of distribution', '');
  out.push(`${input.oodThreshold.rule} Threshold ${input.oodThreshold.value}; \`ood_score\` is reported relative to it, so above 1 means "none of the above".`, '');

  const trust = input.trust;
  if (trust && (trust.temperature !== 1 || trust.uncertainBelow)) {
    out.push('## Calibration and "not sure"', '');
    if (trust.temperature !== 1) out.push(`The averaged probabilities are temperature-scaled (T = ${trust.temperature.toFixed(3)}, fitted on out-of-fold predictions) so that they read as frequencies; the top class never changes.`, '');
    if (trust.uncertainBelow) {
      out.push(`A prediction is flagged "not sure" when it is out of distribution or its top probability is below its class's threshold, chosen for a precision of ${pct(trust.targetPrecision)} on out-of-fold predictions (above 100%: the class is never sure):`, '');
      out.push(table(['class', 'threshold'], classes.map((c, k) => [c, pct(trust.uncertainBelow![k])])), '');
    }
  }

  out.push('## Intended use and limits', '');
  out.push(
    `- Intended: sorting images like the training images into these ${classes.length} classes, e.g. in an app or a batch job, with the out-of-distribution flag used to catch images of something else.`,
    '- Every image gets one of the classes: the probabilities always sum to 1, whatever the image shows. Read `ood_score` before trusting a label.',
    `- The figures above come from ${total} uploaded images, not an independent test set; with ~${Math.max(1, Math.round(total / Math.max(1, classes.length)))} images per class they carry a few points of uncertainty, and images from another camera, background, scale or polarity can score lower.`,
    '- Biases of the uploaded images (what each class looks like, where the photos come from) are learned as they are. The pre-trained backbones saw ImageNet, with its own biases.',
    '- Not for decisions about people (identity, health, access, employment) or safety-critical uses: it was neither designed nor evaluated for them.',
    '',
  );

  out.push('## Pre-trained weights: licence and source', '');
  if (input.backbones.length) {
    out.push('The graph contains these pre-trained backbones (converted from their uint8 TFLite files to float), redistributed under their licence; its text is in `LICENSE-backbone-weights.txt`:', '');
    for (const name of input.backbones) {
      const l = backboneLicense(name);
      out.push(`- \`${name}\`: ${l.description}. Licence ${l.license}, ${l.copyright}. Source: ${l.origin}, ${l.url} (sha256 \`${l.sha256}\`).`);
    }
    out.push('', 'The heads and fine-tuned layers were trained by Tailor on the data above.', '');
  } else {
    out.push('None: every weight was trained by Tailor from scratch on the data above.', '');
  }
  return out.filter((line, i, all) => !(line === '' && all[i - 1] === '')).join('\n');
}
