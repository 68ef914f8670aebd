import { v1 } from '@tailor/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { toVersionView } from '../../views/version-view';
import { modelParams } from './models';

const tags = ['Versions'];
const versionParams = modelParams.extend({ version: z.string().describe('version number or id') });

export async function v1VersionRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.route({
    method: 'GET',
    url: '/models/:modelId/versions',
    schema: { operationId: 'listVersions', tags, summary: 'Versions with headline metrics, newest first', params: modelParams, response: { 200: z.object({ versions: z.array(v1.versionView) }) } },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      return { versions: (await app.services.versions.list(accountId, request.params.modelId)).map((v) => toVersionView(v)) };
    },
  });

  r.route({
    method: 'GET',
    url: '/models/:modelId/versions/:version',
    schema: {
      operationId: 'getVersion',
      tags,
      summary: 'A version with its full evaluation: per-class metrics, confusion matrix with misclassified image ids, curves, calibration',
      params: versionParams,
      response: { 200: v1.versionView },
    },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      return toVersionView(await app.services.versions.get(accountId, request.params.modelId, request.params.version), { fullMetrics: true });
    },
  });

  r.route({
    method: 'GET',
    url: '/models/:modelId/versions/:version/compare/:other',
    schema: {
      operationId: 'compareVersions',
      tags,
      summary: 'The images whose prediction changed from this version to the other one (out-of-fold predictions)',
      description:
        "Read from the two versions' evaluations: each image as predicted by the cross-validation model that did not train on it. " +
        'Only images both versions evaluated and that still exist are compared.',
      params: versionParams.extend({ other: z.string().describe('version number or id') }),
      response: { 200: v1.versionComparisonView },
    },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      const { modelId, version, other } = request.params;
      return app.services.versions.compare(accountId, modelId, version, other);
    },
  });

  r.route({
    method: 'POST',
    url: '/models/:modelId/versions/:version/activate',
    schema: { operationId: 'activateVersion', tags, summary: 'Make this version the one predictions use (roll forward or back)', params: versionParams, response: { 200: v1.versionView } },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'train');
      return toVersionView(await app.services.versions.activate(accountId, request.params.modelId, request.params.version));
    },
  });
}
