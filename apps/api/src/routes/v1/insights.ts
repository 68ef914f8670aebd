import { v1 } from '@tailor/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { modelParams } from './models';

const tags = ['Dataset insights'];

/** What the last run learned about the data: images to label next, and the audit. */
export async function v1InsightRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.route({
    method: 'GET',
    url: '/models/:modelId/suggestions',
    schema: {
      operationId: 'labelSuggestions',
      tags,
      summary: 'Label these next: unlabelled images ranked by what labelling them would teach the model',
      description:
        "Ranked by the active version's run: uncertain images first, spread out so that near-copies are not suggested together (k-means++ over the gradients a label would cause). Each comes with the predicted label and why. Images labelled or deleted since drop off; ones uploaded since are ranked by the next run (`notRanked`). 409 before the first run.",
      params: modelParams,
      querystring: z.object({ n: z.coerce.number().int().min(1).max(200).default(20) }),
      response: { 200: v1.suggestionsView },
    },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      return app.services.insights.suggestions(accountId, request.params.modelId, request.query.n);
    },
  });

  r.route({
    method: 'GET',
    url: '/models/:modelId/audit',
    schema: {
      operationId: 'datasetAudit',
      tags,
      summary: 'Dataset audit: likely label errors, exact and near duplicates, outliers, class balance',
      description:
        "Computed by every training run from its out-of-fold predictions and embeddings, and read against the images as they are now: relabelled or deleted images drop off (`resolved`), duplicate groups are re-judged with the current labels, the class balance is recomputed. Images uploaded since wait for the next run (`notAudited`). 409 before the first run.",
      params: modelParams,
      response: { 200: v1.auditView },
    },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      return app.services.insights.audit(accountId, request.params.modelId);
    },
  });
}
