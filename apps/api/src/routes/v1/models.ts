import { v1 } from '@tailor/contracts';
import type { ModelWithCounts } from '@tailor/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { toModelView } from '../../views/model-views';

const tags = ['Models'];
export const modelParams = z.object({ modelId: z.string() });

export async function v1ModelRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const view = async (m: ModelWithCounts) => {
    const active = await app.services.versions.activeFor(m.id);
    return toModelView(m, await app.services.training.statusLine(m), active?.number ?? null);
  };

  r.route({
    method: 'POST',
    url: '/models',
    schema: { operationId: 'createModel', tags, summary: 'Create a model', body: v1.createModelBody, response: { 201: v1.modelView } },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'train');
      const model = await app.services.models.create(accountId, request.body);
      return reply.status(201).send(await view(model));
    },
  });

  r.route({
    method: 'GET',
    url: '/models',
    schema: { operationId: 'listModels', tags, summary: 'List models', response: { 200: z.object({ models: z.array(v1.modelView) }) } },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      return { models: await Promise.all((await app.services.models.list(accountId)).map(view)) };
    },
  });

  r.route({
    method: 'GET',
    url: '/models/:modelId',
    schema: { operationId: 'getModel', tags, summary: 'Get a model with its live status', params: modelParams, response: { 200: v1.modelView } },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      return view(await app.services.models.get(accountId, request.params.modelId));
    },
  });

  r.route({
    method: 'PATCH',
    url: '/models/:modelId',
    schema: { operationId: 'updateModel', tags, summary: 'Rename, change architecture or default settings', params: modelParams, body: v1.updateModelBody, response: { 200: v1.modelView } },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'train');
      return view(await app.services.models.update(accountId, request.params.modelId, request.body));
    },
  });

  r.route({
    method: 'DELETE',
    url: '/models/:modelId',
    schema: { operationId: 'deleteModel', tags, summary: 'Delete a model, its images, runs and versions', params: modelParams },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'train');
      const { blobsDeleted, blobError } = await app.services.models.delete(accountId, request.params.modelId);
      if (blobError) request.log.warn({ err: blobError, modelId: request.params.modelId, blobsDeleted }, 'model deleted; some of its files were not');
      return reply.status(204).send();
    },
  });
}
