import { z } from 'zod';

export * from './account-usage';
export * from './dataset-insights';

export const architecture = z
  .string()
  .regex(/^(auto|(transfer|finetune):[a-z0-9_.-]+|cnn1|cnn3|cnn4)$/)
  .describe(
    "'auto' (the service chooses by cross-validation), 'transfer:<backbone>' (heads on its frozen features), 'finetune:<backbone>' (its top layers fine-tuned), or one of the tutorial CNNs 'cnn1', 'cnn3', 'cnn4' (GET /v1/training-options lists them)",
  );

export const trainSettings = z
  .object({
    timeBudgetSeconds: z
      .number()
      .int()
      .min(5)
      .max(3600)
      .optional()
      .describe('seconds the whole run may spend (loading, embedding, model search); more tries more candidates'),
    augment: z
      .object({
        rotation: z.number().min(0).max(180).optional(),
        shift: z.number().min(0).max(0.5).optional(),
        zoom: z.number().min(0).max(0.5).optional(),
        flip: z.boolean().optional(),
        brightness: z.number().min(0).max(1).optional(),
        contrast: z.number().min(0).max(1).optional(),
      })
      .optional(),
    classWeights: z.enum(['balanced', 'none']).optional(),
    folds: z.number().int().min(2).max(10).optional().describe('cross-validation folds that score each candidate (more: a steadier estimate, slower)'),
    epochs: z.number().int().min(1).max(500).optional().describe("training epochs of the tutorial CNNs ('cnn1', 'cnn3', 'cnn4')"),
    maxEnsemble: z.number().int().min(1).max(64).optional().describe('most candidates averaged into the model (1 = the single best)'),
    ensemble: z
      .enum(['near-best', 'greedy'])
      .optional()
      .describe("'greedy' (default): add candidates while the out-of-fold accuracy improves; 'near-best': average every candidate within 3 points of the best cross-validated accuracy (slower predictions)"),
    targetPrecision: z
      .number()
      .min(0.5)
      .max(0.999)
      .optional()
      .describe("precision a prediction not flagged 'uncertain' should have: per-class thresholds are chosen on out-of-fold predictions to reach it (higher: surer labels, more flagged)"),
  })
  // Unknown keys are refused (400 naming them), never passed on: each setting here has a bound, and the engine's
  // other knobs (views per image, say) are not a client's to turn.
  .strict();

export const categoryView = z.object({ name: z.string(), count: z.number().int() });

export const runView = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'canceled']),
  phase: z.string(),
  progress: z.number(),
  epoch: z.number().int().nullable(),
  epochs: z.number().int().nullable(),
  candidate: z.string().nullable(),
  etaSeconds: z.number().int().nullable(),
  elapsedSeconds: z.number().nullable(),
  queuePosition: z.number().int().optional(),
  message: z.string().nullable(),
  error: z.string().nullable(),
  seed: z.number().int(),
  imageCount: z.number().int().describe('labelled images the run trains on'),
  unlabeledCount: z.number().int().describe('unlabelled images in the run (it may learn from them; it never scores them)'),
  attempts: z.number().int(),
  queuedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  versionId: z.string().nullable(),
  skippedImages: z
    .array(z.object({ id: z.string(), filename: z.string().optional(), reason: z.string() }))
    .optional()
    .describe('Images the run left out because they could not be decoded (it trained on the others)'),
});
export type RunView = z.infer<typeof runView>;

export const modelView = z.object({
  id: z.string(),
  name: z.string().nullable(),
  state: z.number().int(),
  status: z.string(),
  architecture: z.string(),
  settings: z.record(z.string(), z.unknown()),
  categories: z.array(categoryView),
  imageCount: z.number().int().describe('labelled images'),
  unlabeledCount: z.number().int().describe('images uploaded without a label'),
  activeVersion: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ModelView = z.infer<typeof modelView>;

export const createModelBody = z.object({
  categories: z.array(z.string()).min(2),
  name: z.string().max(200).optional(),
  architecture: architecture.optional(),
  settings: trainSettings.optional(),
});

export const updateModelBody = z.object({
  name: z.string().max(200).optional(),
  architecture: architecture.optional(),
  settings: trainSettings.optional(),
});

export const trainBody = z
  .object({
    seed: z.number().int().min(0).max(2147483647).optional(),
    settings: trainSettings.optional(),
  })
  .default({});

export const uploadResultView = z.object({
  file: z.string(),
  status: z.enum(['stored', 'duplicate', 'rejected']),
  imageId: z.string().optional(),
  sha256: z.string().optional(),
  category: z.string().optional(),
  message: z.string().optional(),
});

export const imageView = z.object({
  id: z.string(),
  category: z.string().nullable().describe('null: uploaded unlabelled'),
  sha256: z.string(),
  filename: z.string().nullable(),
  format: z.string(),
  size: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  createdAt: z.string(),
});

export const labelImageBody = z.object({
  category: z.string().nullable().describe("the class to put the image in, or null to make it unlabelled"),
});

export const versionView = z.object({
  id: z.string(),
  number: z.number().int(),
  active: z.boolean(),
  runId: z.string(),
  architecture: z.string(),
  backbone: z.string().nullable(),
  classes: z.array(z.string()),
  seed: z.number().int(),
  settings: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.unknown()),
  datasetSha256: z
    .string()
    .nullable()
    .describe('sha256 of the canonical manifest of the images this version trained on (null for versions from before it was recorded)'),
  createdAt: z.string(),
});

/** A heat map of the image regions that drove a prediction (occlusion: each region covered in turn). */
export const explanationView = z.object({
  method: z.literal('occlusion'),
  label: z.string().describe('the class explained'),
  probability: z.number().describe('its probability on the whole image'),
  grid: z
    .object({ rows: z.number().int(), cols: z.number().int(), values: z.array(z.number()) })
    .describe("row-major from the top left: the drop of the class's log-odds when the cell is covered (positive: the region supports the class)"),
  overlay: z.string().describe('the image with the heat map over it, as a PNG data URL'),
});

export const predictionView = z.object({
  file: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
  label: z.string().optional(),
  probability: z.number().optional(),
  outOfDistribution: z.boolean().optional(),
  oodScore: z.number().optional(),
  uncertain: z
    .boolean()
    .optional()
    .describe("'not sure': the calibrated probability is below the class's threshold for the model's target precision, or the image is out of distribution"),
  prediction: z.array(z.object({ label: z.string(), probability: z.number() })).optional(),
  explanation: explanationView.optional().describe('with ?explain=true: the regions that drove the prediction'),
});

export const keyView = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const createKeyBody = z.object({
  name: z.string().max(100).optional(),
  scopes: z.array(z.enum(['train', 'predict', 'admin'])).min(1).optional(),
});

export const categoryBody = z.object({ name: z.string().describe('1-100 characters, no control characters, slashes or backslashes') });

const architectureKind = z.enum(['auto', 'transfer', 'finetune', 'cnn']);

export const trainingOptionsView = z.object({
  architectures: z.array(z.object({ id: z.string(), kind: architectureKind, backbone: z.string().nullable(), description: z.string() })),
  settings: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      type: z.enum(['integer', 'number', 'choice']),
      min: z.number().optional(),
      max: z.number().optional(),
      options: z.array(z.string()).optional(),
      default: z.union([z.number(), z.string()]),
      appliesTo: z.array(architectureKind).describe('the architecture kinds the setting changes anything for'),
    }),
  ),
  minImagesPerClass: z.number().int(),
});

const comparedPrediction = z.object({ predicted: z.string(), correct: z.boolean() });

export const versionComparisonView = z.object({
  from: z.object({ number: z.number().int(), evaluated: z.number().int() }),
  to: z.object({ number: z.number().int(), evaluated: z.number().int() }),
  method: z.literal('out-of-fold').describe('each image as predicted by the cross-validation model that did not train on it, in each version'),
  compared: z.number().int().describe('images both versions evaluated (and that still exist)'),
  fixed: z.number().int(),
  broken: z.number().int(),
  changed: z.array(
    z.object({
      imageId: z.string(),
      filename: z.string().nullable(),
      category: z.string(),
      change: z.enum(['fixed', 'broken', 'different-mistake']),
      from: comparedPrediction,
      to: comparedPrediction,
    }),
  ),
});

export const problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  errors: z.array(z.object({ reason: z.string(), message: z.string(), field: z.string().optional() })).optional(),
  requestId: z.string(),
});

/** Model export bundles: the whole classifier as one ONNX graph or a TF.js graph model. */
export const exportFormat = z.enum(['onnx', 'tfjs']).describe("'onnx' (one ONNX graph, opset 13; run offline with `tailor run`) or 'tfjs' (a TF.js graph model)");

/** A model created from a dataset zip. */
export const datasetImportView = z.object({
  model: modelView,
  images: z.number().int().describe('images imported'),
  duplicates: z.array(z.object({ file: z.string(), sameAs: z.string() })).describe('files whose bytes were already imported in the same category'),
  datasetSha256: z.string().describe('the canonical manifest hash of the imported images: what a version trained on all of them records'),
});
