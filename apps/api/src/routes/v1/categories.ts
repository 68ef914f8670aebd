import { v1 } from '@tailor/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { toModelView } from '../../views/model-views';
import { modelParams } from './models';

const tags = ['Models'];

/** A model's classes after creation: add one, rename one (its images follow). */
export async function v1CategoryRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const view = async (m: Awaited<ReturnType<typeof app.services.models.get>>) =>
    toModelView(m, await app.services.training.statusLine(m), (await app.services.versions.activeFor(m.id))?.number ?? null);

  r.route({
    method: 'POST',
    url: '/models/:modelId/categories',
    schema: { operationId: 'addCategory', tags, summary: 'Add a category (409 if the model has it already)', params: modelParams, body: v1.categoryBody, response: { 201: v1.modelView } },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'train');
      return reply.status(201).send(await view(await app.services.models.addCategory(accountId, request.params.modelId, request.body.name)));
    },
  });

  r.route({
    method: 'PATCH',
    url: '/models/:modelId/categories/:category',
    schema: {
      operationId: 'renameCategory',
      tags,
      summary: 'Rename a category; its images follow. Trained versions keep the name they were trained with.',
      params: modelParams.extend({ category: z.string() }),
      body: v1.categoryBody,
      response: { 200: v1.modelView },
    },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'train');
      const { modelId, category } = request.params;
      return view(await app.services.models.renameCategory(accountId, modelId, category, request.body.name));
    },
  });
}
