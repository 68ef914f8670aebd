import { v1 } from '@tailor/contracts';
import { z } from 'zod';

/**
 * Response bodies the shared contracts do not name as a whole (the API composes them in its routes); built from the
 * contracts' parts so a change to a part shows up here too.
 */
export const modelList = z.object({ models: z.array(v1.modelView) });
export const uploadResponse = z.object({
  results: z.array(v1.uploadResultView),
  stored: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
});
export const imagePage = z.object({ images: z.array(v1.imageView), nextCursor: z.string().nullable() });
export const runList = z.object({ runs: z.array(v1.runView) });
export const versionList = z.object({ versions: z.array(v1.versionView) });
export const predictResponse = z.object({ modelId: z.string(), version: z.number().int(), predictions: z.array(v1.predictionView) });
export const accountView = z.object({ id: z.string(), name: z.string(), email: z.string().nullable(), notifyEmail: z.boolean(), scopes: z.array(z.string()) });
export const keyList = z.object({ keys: z.array(v1.keyView) });
export const createdKey = z.object({ id: z.string(), key: z.string(), prefix: z.string(), scopes: z.array(z.string()) });
/** Webhooks: the shapes the API's notification routes answer with (not in the shared contracts package). */
export const webhookView = z.object({
  id: z.string(),
  url: z.string(),
  modelId: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: z.string(),
});
export const createdWebhook = webhookView.extend({ secret: z.string() });
export const webhookList = z.object({ webhooks: z.array(webhookView) });
export const deliveryView = z.object({
  id: z.string(),
  event: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  responseCode: z.number().int().nullable(),
  error: z.string().nullable(),
  payload: z.unknown(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});
export const deliveryList = z.object({ deliveries: z.array(deliveryView) });
/** A progress event: the run view plus the server's one-line summary. */
export const runProgressEvent = v1.runView.extend({ status_line: z.string() });
export const runEndEvent = z.object({ status: v1.runView.shape.status });

export type Model = z.infer<typeof v1.modelView>;
export type Run = z.infer<typeof v1.runView>;
export type RunProgress = z.infer<typeof runProgressEvent>;
export type Image = z.infer<typeof v1.imageView>;
export type Version = z.infer<typeof v1.versionView>;
export type Prediction = z.infer<typeof v1.predictionView>;
export type DatasetImport = z.infer<typeof v1.datasetImportView>;
export type UploadResponse = z.infer<typeof uploadResponse>;
export type PredictResponse = z.infer<typeof predictResponse>;
export type Account = z.infer<typeof accountView>;
export type ApiKey = z.infer<typeof v1.keyView>;
export type CreatedKey = z.infer<typeof createdKey>;
export type CreateModelInput = z.input<typeof v1.createModelBody>;
export type UpdateModelInput = z.input<typeof v1.updateModelBody>;
export type TrainInput = NonNullable<z.input<typeof v1.trainBody>>;
export type CreateKeyInput = z.input<typeof v1.createKeyBody>;
export type Webhook = z.infer<typeof webhookView>;
export type CreatedWebhook = z.infer<typeof createdWebhook>;
export type WebhookDelivery = z.infer<typeof deliveryView>;
export type WebhookEvent = 'training.finished' | 'training.failed';
