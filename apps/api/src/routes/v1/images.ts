import { BadRequestError, fetchImages, NotFoundError } from '@tailor/core';
import { v1 } from '@tailor/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { field, partialStatus, readMultipartForm } from '../../plugins/multipart-form';
import { checkUrlCount, urlLimits } from '../../plugins/url-limits';
import { modelParams } from './models';

const tags = ['Images'];
const uploadResponse = z.object({ results: z.array(v1.uploadResultView), stored: z.number().int(), duplicates: z.number().int(), rejected: z.number().int() });

export async function v1ImageRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.route({
    method: 'POST',
    url: '/models/:modelId/images',
    schema: {
      operationId: 'uploadImages',
      tags,
      summary: 'Upload images, labelled or not',
      description:
        'multipart/form-data with `category` and one or more `file` parts, or JSON `{category, urls}`. Without `category` the images are stored unlabelled: training learns from them semi-supervised, `GET …/suggestions` ranks them for labelling, and `PATCH …/images/:imageId` labels one. 200 all taken, 207 some rejected, 400 none.',
      consumes: ['multipart/form-data', 'application/json'],
      params: modelParams,
      response: { 200: uploadResponse, 207: uploadResponse, 400: uploadResponse.or(v1.problem) },
    },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'train');
      const { modelId } = request.params;
      let results;
      if (request.isMultipart()) {
        const form = await readMultipartForm(request);
        // A form with no image in it (no `file` part, or parts busboy could not name) stores nothing: say so, not 200.
        if (!form.files.length && !form.oversized.length) throw new BadRequestError('No file in the form: send one or more `file` parts');
        // No category field (or an empty one): unlabelled images.
        const category = field(form, 'category') || null;
        results = await app.services.images.upload(accountId, modelId, category, form.files);
        for (const o of form.oversized) results.push({ file: o.name, status: 'rejected' as const, message: o.reason });
      } else {
        const body = z.object({ category: z.string().min(1).nullish(), urls: z.array(z.string()) }).safeParse(request.body);
        if (!body.success) throw new BadRequestError('Expected multipart files or JSON {category?, urls}');
        checkUrlCount(body.data.urls, app.config);
        await app.services.models.get(accountId, modelId);
        const fetched = await fetchImages(body.data.urls, urlLimits(request));
        results = await app.services.images.upload(accountId, modelId, body.data.category ?? null, fetched.filter((f) => f.bytes).map((f) => ({ filename: f.url, bytes: f.bytes! })));
        for (const f of fetched) if (f.error) results.push({ file: f.url, status: 'rejected' as const, message: f.error });
      }
      const count = (s: string) => results.filter((x) => x.status === s).length;
      const rejected = count('rejected');
      const status = partialStatus(rejected, results.length, 207);
      return reply.status(status).send({ results, stored: count('stored'), duplicates: count('duplicate'), rejected });
    },
  });

  r.route({
    method: 'GET',
    url: '/models/:modelId/images',
    schema: {
      operationId: 'listImages',
      tags,
      summary: 'List uploaded images (paged)',
      description: '`labeled=false` lists the unlabelled images, `labeled=true` the labelled ones; `category` one class.',
      params: modelParams,
      querystring: z.object({
        category: z.string().optional(),
        labeled: z.enum(['true', 'false']).optional().transform((v) => (v === undefined ? undefined : v === 'true')),
        limit: z.coerce.number().int().min(1).max(1000).default(100), cursor: z.string().optional() }),
      response: { 200: z.object({ images: z.array(v1.imageView), nextCursor: z.string().nullable() }) },
    },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      const rows = await app.services.images.list(accountId, request.params.modelId, request.query);
      return {
        images: rows.map(imageJson),
        nextCursor: rows.length === request.query.limit ? rows[rows.length - 1]!.id : null,
      };
    },
  });

  r.route({
    method: 'GET',
    url: '/models/:modelId/images/:imageId',
    schema: { operationId: 'getImage', tags, summary: 'The original bytes of an uploaded image', params: modelParams.extend({ imageId: z.string() }) },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'predict');
      const found = await app.services.images.getBytes(accountId, request.params.modelId, request.params.imageId);
      if (!found) throw new NotFoundError('Image', request.params.imageId);
      return reply.type(`image/${found.image.format}`).header('cache-control', 'private, max-age=86400').send(found.bytes);
    },
  });

  r.route({
    method: 'PATCH',
    url: '/models/:modelId/images/:imageId',
    schema: {
      operationId: 'labelImage',
      tags,
      summary: 'Label an image, change its label, or clear it',
      description: '`{category: "<name>"}` labels the image (or moves it to that class); `{category: null}` makes it unlabelled again. The next run trains on it.',
      params: modelParams.extend({ imageId: z.string() }),
      body: v1.labelImageBody,
      response: { 200: v1.imageView },
    },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'train');
      return imageJson(await app.services.images.setLabel(accountId, request.params.modelId, request.params.imageId, request.body.category));
    },
  });

  r.route({
    method: 'DELETE',
    url: '/models/:modelId/images/:imageId',
    schema: { operationId: 'deleteImage', tags, summary: 'Remove an image from the training data', params: modelParams.extend({ imageId: z.string() }) },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'train');
      if (!(await app.services.images.delete(accountId, request.params.modelId, request.params.imageId))) {
        throw new NotFoundError('Image', request.params.imageId);
      }
      return reply.status(204).send();
    },
  });
}

function imageJson<T extends { category: { name: string } | null; createdAt: Date }>(i: T) {
  return { ...i, category: i.category?.name ?? null, createdAt: i.createdAt.toISOString() };
}
