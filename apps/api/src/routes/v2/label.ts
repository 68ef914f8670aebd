import { fetchImages, type PredictInput, type PredictOutcome } from '@tailor/core';
import { v2 } from '@tailor/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { field, partialStatus, readMultipartForm } from '../../plugins/multipart-form';
import { checkUrlCount, urlLimits } from '../../plugins/url-limits';
import { BadRequestError } from '@tailor/core';
import { pickModelId } from './model-id';

const tags = ['NanoNets v2'];
const optionalModelParam = z.object({ modelId: z.string().optional() });

/** The NanoNets prediction body: every class with its probability, per file; 202 if some files failed. */
function render(outcomes: PredictOutcome[]) {
  const failed = outcomes.filter((o) => !o.ok).length;
  const status = partialStatus(failed, outcomes.length, 202);
  return {
    status,
    body: {
      message: status === 200 ? 'Success' : status === 202 ? 'Partial success' : 'Failure',
      result: outcomes.map((o) =>
        o.ok
          ? { message: 'Success', file: o.name, prediction: o.result.prediction, out_of_distribution: o.result.outOfDistribution, uncertain: o.result.uncertain }
          : { message: `Failure: ${o.error}`, file: o.name, prediction: [] },
      ),
    },
  };
}

export async function v2LabelRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  for (const url of ['/LabelFile/', '/Model/:modelId/LabelFile/']) {
    r.route({
      method: 'POST',
      url,
      schema: {
        operationId: url.startsWith('/Model') ? 'v2LabelFileForModel' : 'v2LabelFile',
        tags,
        summary: 'Predict the class of one or more image files',
        description: 'multipart/form-data: `file` (repeatable), `modelId` (unless in the path).',
        consumes: ['multipart/form-data'],
        params: optionalModelParam,
        response: { 200: v2.v2LabelResponse, 202: v2.v2LabelResponse, 400: v2.v2LabelResponse.or(v2.v2Error) },
      },
      handler: async (request, reply) => {
        const { accountId } = await authorize(request, 'predict');
        const form = await readMultipartForm(request);
        const modelId = pickModelId(request.params.modelId, field(form, 'modelId'), (request.query as { modelId?: string }).modelId);
        if (form.files.length === 0 && form.oversized.length === 0) throw new BadRequestError('No file uploaded');
        const inputs: PredictInput[] = form.files.map((f) => ({ name: f.filename, bytes: f.bytes }));
        for (const o of form.oversized) inputs.push({ name: o.name, error: o.reason });
        const { outcomes } = await app.services.predictions.predict(accountId, modelId, inputs);
        const { status, body } = render(outcomes);
        return reply.status(status).send(body);
      },
    });
  }

  for (const url of ['/LabelUrls/', '/Model/:modelId/LabelUrls/']) {
    r.route({
      method: 'POST',
      url,
      schema: {
        operationId: url.startsWith('/Model') ? 'v2LabelUrlsForModel' : 'v2LabelUrls',
        tags,
        summary: 'Predict the class of images given by URL',
        params: optionalModelParam,
        body: v2.v2UrlsBody,
        response: { 200: v2.v2LabelResponse, 202: v2.v2LabelResponse, 400: v2.v2LabelResponse.or(v2.v2Error) },
      },
      handler: async (request, reply) => {
        const { accountId } = await authorize(request, 'predict');
        const modelId = pickModelId(request.params.modelId, request.body.modelId);
        checkUrlCount(request.body.urls, app.config);
        await app.services.models.get(accountId, modelId);
        const fetched = await fetchImages(request.body.urls, urlLimits(request));
        const { outcomes } = await app.services.predictions.predict(
          accountId,
          modelId,
          fetched.map((f) => ({ name: f.url, bytes: f.bytes, error: f.error })),
        );
        const { status, body } = render(outcomes);
        return reply.status(status).send(body);
      },
    });
  }
}
