import { z } from 'zod';

const classProbability = z.object({ label: z.string(), probability: z.number() });

/** GET /v1/models/:id/suggestions: unlabelled images ranked by what labelling them would teach the model. */
export const suggestionsView = z.object({
  version: z.number().int().describe('the model version whose predictions ranked them'),
  method: z.string().describe('how the ranking was made'),
  suggestions: z.array(
    z.object({
      imageId: z.string(),
      filename: z.string().nullable(),
      rank: z.number().int().describe('1 = label this first'),
      predicted: classProbability.describe("the model's label for it"),
      runnerUp: classProbability.describe('the next most likely class'),
      nearestLabeledSimilarity: z.number().describe('cosine similarity to the most similar labelled image (low: nothing like it is labelled)'),
      reason: z.string().describe('why it is worth labelling, in words'),
    }),
  ),
  remaining: z.number().int().describe('ranked images still unlabelled, this page included'),
  notRanked: z.number().int().describe('unlabelled images uploaded after that version was trained: the next run ranks them'),
});
export type SuggestionsView = z.infer<typeof suggestionsView>;

const auditedImage = z.object({ imageId: z.string(), filename: z.string().nullable(), label: z.string().nullable().describe('its label now (null: unlabelled)') });

/** GET /v1/models/:id/audit: what may be wrong with the training data. */
export const auditView = z.object({
  version: z.number().int().describe('the model version whose run audited the data'),
  labelErrors: z
    .array(auditedImage.extend({ suggestedLabel: z.string(), confidence: z.number().describe('probability of the suggested label'), labelProbability: z.number().describe('probability left to the given label') }))
    .describe('labelled images whose out-of-fold prediction (by models that never saw their label) disagrees, most likely errors first'),
  duplicates: z
    .array(
      z.object({
        kind: z.enum(['exact', 'near']).describe("'exact': the same pixels; 'near': a copy that differs a little"),
        similarity: z.number(),
        conflict: z.boolean().describe('labelled in different classes: a label conflict'),
        images: z.array(auditedImage),
      }),
    )
    .describe('copies within and across classes'),
  outliers: z.array(auditedImage.extend({ similarity: z.number(), nearestLabel: z.string(), threshold: z.number() })).describe('images unlike every class, least typical first'),
  classBalance: z.object({
    counts: z.array(z.object({ label: z.string(), count: z.number().int() })),
    ratio: z.number().nullable().describe('largest class over smallest (null when a class is empty)'),
    underRepresented: z.array(z.string()),
    message: z.string(),
  }).describe('computed from the labels as they are now'),
  resolved: z.number().int().describe('listed issues already dealt with since (relabelled or deleted images): left out'),
  notAudited: z.number().int().describe('images uploaded after that version was trained: the next run audits them'),
  method: z.record(z.string(), z.string()),
});
export type AuditView = z.infer<typeof auditView>;
