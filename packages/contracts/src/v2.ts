import { z } from 'zod';

/** A form field that may be sent once (a string) or repeated (an array): normalised to an array. */
export const repeated = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]));

export const v2Category = z.object({ name: z.string(), count: z.number().int() });

/** The model object the NanoNets scripts read: `model_id`, `state`, `status`, `categories`. */
export const v2Model = z.object({
  model_id: z.string(),
  model_type: z.literal('classification'),
  state: z.number().int().min(-1).max(5),
  status: z.string(),
  categories: z.array(v2Category),
});
export type V2Model = z.infer<typeof v2Model>;

export const v2CreateModelBody = z.object({
  categories: repeated,
  name: z.string().max(200).optional(),
  architecture: z.string().optional(),
});

export const v2ModelIdQuery = z.object({ modelId: z.string().optional(), id: z.string().optional() });

export const v2ErrorDetail = z.object({ reason: z.string(), message: z.string() });
/** The NanoNets error envelope, plus the request id for support. */
export const v2Error = z.object({
  message: z.string(),
  code: z.number().int(),
  errors: z.array(v2ErrorDetail),
  request_id: z.string().optional(),
});

export const v2UploadFileResult = z.object({
  message: z.string(),
  file: z.string(),
  id: z.string().optional(),
  status: z.enum(['stored', 'duplicate', 'rejected']),
});
export const v2UploadResponse = v2Model.extend({
  message: z.string(),
  result: z.array(v2UploadFileResult),
});

export const v2Prediction = z.object({ label: z.string(), probability: z.number() });
export const v2LabelResult = z.object({
  message: z.string(),
  file: z.string(),
  prediction: z.array(v2Prediction),
  /** Tailor's addition: true when the image is unlike every class ("none of the above"). */
  out_of_distribution: z.boolean().optional(),
  /** Tailor's addition: true when the label should not be trusted (below its class's threshold, or out of distribution). */
  uncertain: z.boolean().optional(),
});
export const v2LabelResponse = z.object({ message: z.string(), result: z.array(v2LabelResult) });

export const v2UrlsBody = z.object({
  modelId: z.string().optional(),
  category: z.string().optional(),
  urls: repeated,
});
