import { ConflictError } from '@tailor/core';
import { artifactFromFiles, isCnnClassifier, loadClassifier } from '@tailor/ml';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { buildProjectorZip, EmbeddingService, ProjectorGate } from '../../projector';
import { modelParams } from './models';

const tags = ['Projector'];
const versionParams = modelParams.extend({ version: z.string().describe('version number or id') });

const embeddingsResponse = z.object({
  modelId: z.string(),
  version: z.number().int(),
  dim: z.number().int(),
  count: z.number().int(),
  embeddings: z.array(z.object({ id: z.string(), label: z.string(), vector: z.array(z.number()) })),
});

/** Five significant digits are plenty for a projection and keep the JSON about half the size. */
const round = (x: number) => Number(x.toPrecision(5));

/** Embedding projector data: the version's feature vectors of the model's images, as JSON and as a TensorBoard export. */
export async function v1ProjectorRoutes(app: FastifyInstance) {
  const blobs = app.services.blobs;
  app.addHook('onClose', async () => blobs.close?.());
  // Embeddings of every image and the export's sprite are this API's heaviest work: bounded in count, one at a time.
  const gate = new ProjectorGate({ timeoutMs: app.config.TAILOR_PROJECTOR_TIMEOUT_S * 1000 });
  const embeddings = new EmbeddingService(
    app.services,
    blobs,
    (files) => {
      // The tutorial CNNs are end-to-end networks without the feature extractor the projector shows.
      if (isCnnClassifier(files)) throw new ConflictError('This version is a tutorial CNN; the embedding projector needs a transfer-learning version');
      return loadClassifier(artifactFromFiles(files));
    },
    { maxImages: app.config.TAILOR_PROJECTOR_MAX_IMAGES, gate },
  );
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.route({
    method: 'GET',
    url: '/models/:modelId/versions/:version/embeddings',
    schema: {
      operationId: 'getEmbeddings',
      tags,
      summary: "The version's embeddings of the model's images (the features its out-of-distribution detector uses)",
      description: 'Computed on first request with that version\'s classifier and cached; recomputed when the images change.',
      params: versionParams,
      response: { 200: embeddingsResponse },
    },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      const { version, set } = await embeddings.get(accountId, request.params.modelId, request.params.version);
      return {
        modelId: request.params.modelId,
        version: version.number,
        dim: set.dim,
        count: set.items.length,
        embeddings: set.items.map((it, i) => ({ id: it.id, label: it.label, vector: Array.from(set.vectors.subarray(i * set.dim, (i + 1) * set.dim), round) })),
      };
    },
  });

  r.route({
    method: 'GET',
    url: '/models/:modelId/versions/:version/projector.zip',
    schema: {
      operationId: 'getProjectorExport',
      tags,
      summary: "Export for TensorBoard's Embedding Projector: tensors.tsv, metadata.tsv, sprite.png, projector_config.pbtxt",
      params: versionParams,
      produces: ['application/zip'],
    },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'predict');
      const { modelId } = request.params;
      const { version, set } = await embeddings.get(accountId, modelId, request.params.version);
      const zip = await gate.run((signal) => buildProjectorZip(app.services, accountId, modelId, version, set, signal));
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="tailor-${modelId}-v${version.number}-projector.zip"`)
        .send(zip);
    },
  });
}
