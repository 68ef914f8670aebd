import { BadRequestError, fetchImages, type UploadResult } from '@tailor/core';
import { v2 } from '@tailor/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { field, partialStatus, readMultipartForm } from '../../plugins/multipart-form';
import { checkUrlCount, urlLimits } from '../../plugins/url-limits';
import { toV2Model } from '../../views/model-views';
import { pickModelId } from './model-id';

const tags = ['NanoNets v2'];
const optionalModelParam = z.object({ modelId: z.string().optional() });

/** 200 when every file was taken, 202 when some were rejected, 400 when none were. */
function statusFor(results: UploadResult[]) {
  return partialStatus(results.filter((r) => r.status === 'rejected').length, results.length, 202);
}

export async function v2UploadRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  const respond = async (accountId: string, modelId: string, results: UploadResult[]) => {
    const model = await app.services.models.get(accountId, modelId);
    const status = statusFor(results);
    return {
      status,
      body: {
        ...toV2Model(model, await app.services.training.statusLine(model)),
        message: status === 200 ? 'Success' : status === 202 ? 'Partial success' : 'Failure',
        result: results.map((x) => ({
          message: x.status === 'rejected' ? `Failure: ${x.message}` : x.status === 'duplicate' ? `Duplicate: ${x.message}` : 'Success',
          file: x.file,
          id: x.imageId,
          status: x.status,
        })),
      },
    };
  };

  const uploadFiles = async (request: FastifyRequest, pathModelId?: string) => {
    const { accountId } = await authorize(request, 'train');
    const form = await readMultipartForm(request);
    const modelId = pickModelId(pathModelId, field(form, 'modelId'), (request.query as { modelId?: string }).modelId);
    const category = field(form, 'category');
    if (!category) throw new BadRequestError('category is required', [{ reason: 'category', message: 'Pass the category as a form field' }]);
    if (form.files.length === 0 && form.oversized.length === 0) {
      throw new BadRequestError('No file uploaded', [{ reason: 'file', message: 'Send one or more `file` parts' }]);
    }
    const results = await app.services.images.upload(accountId, modelId, category, form.files);
    for (const o of form.oversized) results.push({ file: o.name, status: 'rejected', message: o.reason });
    return respond(accountId, modelId, results);
  };

  for (const url of ['/UploadFile/', '/Model/:modelId/UploadFile/']) {
    r.route({
      method: 'POST',
      url,
      schema: {
        operationId: url.startsWith('/Model') ? 'v2UploadFileToModel' : 'v2UploadFile',
        tags,
        summary: 'Upload training images of one category',
        description: 'multipart/form-data: `file` (one or many parts), `category`, `modelId` (unless in the path).',
        consumes: ['multipart/form-data'],
        params: optionalModelParam,
        response: { 200: v2.v2UploadResponse, 202: v2.v2UploadResponse, 400: v2.v2UploadResponse.or(v2.v2Error) },
      },
      handler: async (request, reply) => {
        const { status, body } = await uploadFiles(request, request.params.modelId);
        return reply.status(status).send(body);
      },
    });
  }

  for (const url of ['/UploadUrls/', '/Model/:modelId/UploadUrls/']) {
    r.route({
      method: 'POST',
      url,
      schema: {
        operationId: url.startsWith('/Model') ? 'v2UploadUrlsToModel' : 'v2UploadUrls',
        tags,
        summary: 'Upload training images of one category by URL',
        params: optionalModelParam,
        body: v2.v2UrlsBody,
        response: { 200: v2.v2UploadResponse, 202: v2.v2UploadResponse, 400: v2.v2UploadResponse.or(v2.v2Error) },
      },
      handler: async (request, reply) => {
        const { accountId } = await authorize(request, 'train');
        const modelId = pickModelId(request.params.modelId, request.body.modelId);
        const category = request.body.category;
        if (!category) throw new BadRequestError('category is required');
        checkUrlCount(request.body.urls, app.config);
        await app.services.models.get(accountId, modelId); // 404 before any download
        const fetched = await fetchImages(request.body.urls, urlLimits(request));
        const ok = fetched.filter((f) => f.bytes);
        const results = await app.services.images.upload(accountId, modelId, category, ok.map((f) => ({ filename: f.url, bytes: f.bytes! })));
        for (const f of fetched) if (f.error) results.push({ file: f.url, status: 'rejected', message: f.error });
        const { status, body } = await respond(accountId, modelId, results);
        return reply.status(status).send(body);
      },
    });
  }
}
