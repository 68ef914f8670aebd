import { BadRequestError, fetchImages, type PredictInput } from '@tailor/core';
import { v1 } from '@tailor/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { readMultipartForm } from '../../plugins/multipart-form';
import { checkUrlCount, urlLimits } from '../../plugins/url-limits';
import { modelParams } from './models';

const predictResponse = z.object({ modelId: z.string(), version: z.number().int(), predictions: z.array(v1.predictionView) });

export async function v1PredictRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().route({
    method: 'POST',
    url: '/models/:modelId/predict',
    schema: {
      operationId: 'predict',
      tags: ['Prediction'],
      summary: "Classify images: every class with its calibrated probability, top-k, 'not sure' and out-of-distribution flags, optionally a heat map",
      description:
        'multipart/form-data `file` parts, or JSON `{urls: [...]}`. `topK` limits the classes listed per image. `explain=true` adds, per image, ' +
        'a heat map of the regions that drove the prediction (occlusion: ~50 forward passes per image, so seconds rather than milliseconds), ' +
        'of `explainClass` when given, else of the predicted class.',
      consumes: ['multipart/form-data', 'application/json'],
      params: modelParams,
      querystring: z.object({
        topK: z.coerce.number().int().min(1).optional(),
        version: z.string().optional(),
        explain: z.enum(['true', 'false', '1', '0']).optional().describe('add a heat map per image'),
        explainClass: z.string().optional().describe('the class the heat map explains (default: the predicted one)'),
      }),
      response: { 200: predictResponse, 207: predictResponse },
    },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'predict');
      const { modelId } = request.params;
      let inputs: PredictInput[];
      if (request.isMultipart()) {
        const form = await readMultipartForm(request);
        inputs = form.files.map((f) => ({ name: f.filename, bytes: f.bytes }));
        for (const o of form.oversized) inputs.push({ name: o.name, error: o.reason });
      } else {
        const body = z.object({ urls: z.array(z.string()) }).safeParse(request.body);
        if (!body.success) throw new BadRequestError('Expected multipart files or JSON {urls}');
        checkUrlCount(body.data.urls, app.config);
        await app.services.models.get(accountId, modelId);
        inputs = (await fetchImages(body.data.urls, urlLimits(request))).map((f) => ({ name: f.url, bytes: f.bytes, error: f.error }));
      }
      if (inputs.length === 0) throw new BadRequestError('No images given');
      let versionId: string | undefined;
      if (request.query.version) versionId = (await app.services.versions.get(accountId, modelId, request.query.version)).id;
      const explain = request.query.explain === 'true' || request.query.explain === '1' ? { label: request.query.explainClass } : undefined;
      const { version, outcomes } = await app.services.predictions.predict(accountId, modelId, inputs, { versionId, explain });
      const topK = request.query.topK;
      const predictions = outcomes.map((o) =>
        o.ok
          ? {
              file: o.name,
              ok: true,
              label: o.result.prediction[0]!.label,
              probability: o.result.prediction[0]!.probability,
              outOfDistribution: o.result.outOfDistribution,
              oodScore: o.result.oodScore,
              uncertain: o.result.uncertain,
              prediction: topK ? o.result.prediction.slice(0, topK) : o.result.prediction,
              ...(o.result.explanation ? { explanation: o.result.explanation } : {}),
            }
          : { file: o.name, ok: false, error: o.error },
      );
      return reply.status(outcomes.every((o) => o.ok) ? 200 : 207).send({ modelId, version: version.number, predictions });
    },
  });
}
