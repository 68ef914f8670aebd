import { v1 } from '@tailor/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { modelParams } from './models';

const versionParams = modelParams.extend({ version: z.string().describe('version number or id') });

/** Model export: any version as a portable bundle (one ONNX graph or a TF.js graph model, labels, preprocessing, model card). */
export async function v1ExportRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().route({
    method: 'GET',
    url: '/models/:modelId/versions/:version/export',
    schema: {
      operationId: 'exportVersion',
      tags: ['Versions'],
      summary: 'Download a version as a bundle (zip): model.onnx or model.json + weights.bin, labels.json, preprocessing.json, README.md (model card)',
      description: 'The ONNX bundle runs offline: `tailor run bundle.zip image.jpg`. Both formats reproduce the hosted predictions (see README, "Exported models").',
      params: versionParams,
      querystring: z.object({ format: v1.exportFormat.default('onnx') }),
      produces: ['application/zip'],
    },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'predict');
      const { modelId, version } = request.params;
      const out = await app.services.exports.export(accountId, modelId, version, request.query.format);
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${out.filename}"`)
        .header('x-tailor-version', String(out.version.number))
        .send(out.zip);
    },
  });
}
