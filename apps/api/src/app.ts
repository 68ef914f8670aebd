import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { Config } from '@tailor/config';
import type { Services } from '@tailor/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { dashboardPlugin } from './dashboard';
import './plugins/request-context';
import { registerErrorHandler } from './plugins/error-handler';
import { TEXT_PART_SLACK } from './plugins/multipart-form';
import { registerInflightBytes } from './plugins/inflight-bytes';
import { registerOpenApi } from './plugins/openapi';
import { registerRateLimit } from './plugins/rate-limit';
import { healthRoutes } from './routes/health';
import { v1Routes } from './routes/v1';
import { v2Routes } from './routes/v2';

export interface AppOptions {
  config: Config;
  services: Services;
  /** What this process computes with (shown by /health). */
  compute?: Record<string, unknown>;
  logger?: boolean | object;
}

/** The whole HTTP API as one fastify instance; `main.ts` only listens and shuts down. */
export async function buildApp({ config, services, logger, compute }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? { level: config.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // Honour an incoming request id (from a proxy) so logs correlate across hops.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: 1024 * 1024,
  });
  app.decorate('config', config);
  app.decorate('services', services);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandler(app);
  registerInflightBytes(app);
  await registerRateLimit(app);
  await app.register(formbody);
  await app.register(multipart, {
    limits: {
      fileSize: config.TAILOR_MAX_UPLOAD_BYTES,
      // readMultipartForm enforces the real file limit; the slack is for text fields sent as file parts.
      files: config.TAILOR_MAX_FILES_PER_REQUEST + TEXT_PART_SLACK,
      fields: 200,
      parts: config.TAILOR_MAX_FILES_PER_REQUEST + TEXT_PART_SLACK + 200,
    },
    throwFileSizeLimit: false,
  });
  await registerOpenApi(app);
  await app.register(healthRoutes, { compute });
  await app.register(v2Routes, { prefix: '/api/v2/ImageCategorization' });
  await app.register(v1Routes, { prefix: '/v1' });
  await app.register(dashboardPlugin);
  return app;
}
