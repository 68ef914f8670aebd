import { BadRequestError } from '@tailor/core';
import { v1 } from '@tailor/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { toModelView } from '../../views/model-views';
import { modelParams } from './models';

const tags = ['Datasets'];

/** Datasets leave and come back: a model's images as a zip, and a new model from one. */
export async function v1DatasetRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.route({
    method: 'GET',
    url: '/models/:modelId/dataset.zip',
    schema: {
      operationId: 'exportDataset',
      tags,
      summary: "The model's images as a zip: one folder per category holding the original files, and manifest.csv (id, category, sha256, filename)",
      description: 'Streamed. `x-tailor-dataset-sha256` is the canonical manifest hash of these images: a version trained on exactly them records the same `datasetSha256`.',
      params: modelParams,
      produces: ['application/zip'],
    },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'predict');
      const { modelId } = request.params;
      const out = await app.services.datasets.export(accountId, modelId);
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="tailor-${modelId}-dataset.zip"`)
        .header('x-tailor-dataset-sha256', out.summary.sha256)
        .header('x-tailor-dataset-images', String(out.summary.images))
        .send(out.stream);
    },
  });

  r.route({
    method: 'POST',
    url: '/models/import',
    schema: {
      operationId: 'importDataset',
      tags,
      summary: 'Create a model from a dataset zip (multipart `file`; optional `name` field before it, or ?name=)',
      description:
        'The layout dataset.zip has, or plain `<category>/<image>` folders (optionally inside one top folder). Every image is decoded and checked as an upload is; ' +
        'any bad file, a manifest mismatch or a damaged zip answers 400 naming the files, and nothing is created. The zip may be up to TAILOR_MAX_IMPORT_BYTES.',
      consumes: ['multipart/form-data'],
      querystring: z.object({ name: z.string().max(200).optional() }),
      response: { 201: v1.datasetImportView },
    },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'train');
      if (!request.isMultipart()) throw new BadRequestError('Expected a multipart/form-data body with the zip as its `file` part');
      const max = app.config.TAILOR_MAX_IMPORT_BYTES;
      let part;
      try {
        // One byte over the limit reaches the service, which refuses it by name (busboy would only truncate).
        part = await request.file({ limits: { fileSize: max + 1, files: 1 } });
      } catch (err) {
        throw new BadRequestError(`Malformed multipart/form-data body: ${(err as Error).message.slice(0, 200)}`);
      }
      if (!part) throw new BadRequestError('No zip file in the request (send it as the multipart `file` part)');
      const field = part.fields.name as { value?: unknown } | undefined;
      const name = request.query.name ?? (typeof field?.value === 'string' ? field.value : undefined);
      const result = await app.services.datasets.import(accountId, part.file, { name });
      const model = toModelView(result.model, await app.services.training.statusLine(result.model), null);
      return reply.status(201).send({ model, images: result.images, duplicates: result.duplicates, datasetSha256: result.summary.sha256 });
    },
  });
}
