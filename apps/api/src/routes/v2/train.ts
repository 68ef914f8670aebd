import { v2 } from '@tailor/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { toV2Model } from '../../views/model-views';
import { pickModelId } from './model-id';

const tags = ['NanoNets v2'];

export async function v2TrainRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  for (const url of ['/Train/', '/Model/:modelId/Train/']) {
    r.route({
      method: 'POST',
      url,
      schema: {
        operationId: url.startsWith('/Model') ? 'v2TrainModel' : 'v2Train',
        tags,
        summary: 'Train (or retrain) a model',
        description: 'Validates the dataset, queues a training run (state 3) and returns at once. Watch `state`/`status`.',
        params: z.object({ modelId: z.string().optional() }),
        querystring: z.object({ modelId: z.string().optional(), id: z.string().optional() }),
        response: { 200: v2.v2Model },
      },
      handler: async (request) => {
        const { accountId } = await authorize(request, 'train');
        const body = (request.body ?? {}) as { modelId?: string };
        const modelId = pickModelId(request.params.modelId, request.query.modelId, request.query.id, body.modelId);
        await app.services.training.start(accountId, modelId);
        const model = await app.services.models.get(accountId, modelId);
        return toV2Model(model, await app.services.training.statusLine(model));
      },
    });
  }
}
