import { v2 } from '@tailor/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { toV2Model } from '../../views/model-views';
import { pickModelId } from './model-id';

const tags = ['NanoNets v2'];

export async function v2ModelRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const view = async (model: Parameters<typeof toV2Model>[0]) => toV2Model(model, await app.services.training.statusLine(model));

  r.route({
    method: 'POST',
    url: '/Model/',
    schema: {
      operationId: 'v2CreateModel',
      tags,
      summary: 'Create a model with its categories',
      description: 'Form-urlencoded (or JSON) body with `categories` repeated once per class.',
      body: v2.v2CreateModelBody,
      response: { 200: v2.v2Model },
    },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'train');
      const model = await app.services.models.create(accountId, {
        categories: request.body.categories,
        name: request.body.name,
        architecture: request.body.architecture,
      });
      return view(model);
    },
  });

  r.route({
    method: 'GET',
    url: '/Model/',
    schema: { operationId: 'v2GetModelByQuery', tags, summary: 'Get a model (?modelId= or ?id=)', querystring: v2.v2ModelIdQuery, response: { 200: v2.v2Model } },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      return view(await app.services.models.get(accountId, pickModelId(request.query.modelId, request.query.id)));
    },
  });

  r.route({
    method: 'GET',
    url: '/Model/:modelId',
    schema: { operationId: 'v2GetModel', tags, summary: 'Get a model', params: z.object({ modelId: z.string() }), response: { 200: v2.v2Model } },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      return view(await app.services.models.get(accountId, request.params.modelId));
    },
  });

  r.route({
    method: 'GET',
    url: '/Models/',
    schema: { operationId: 'v2ListModels', tags, summary: "List the account's models", response: { 200: z.array(v2.v2Model) } },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      const models = await app.services.models.list(accountId);
      return Promise.all(models.map(view));
    },
  });
}
