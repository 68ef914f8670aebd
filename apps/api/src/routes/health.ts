import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

export async function healthRoutes(app: FastifyInstance) {
  app.withTypeProvider<ZodTypeProvider>().route({
    method: 'GET',
    url: '/health',
    schema: {
      operationId: 'health',
      tags: ['Service'],
      summary: 'Liveness and readiness: 200 once the database answers',
      response: { 200: z.object({ status: z.literal('ok'), mode: z.string(), version: z.string() }) },
    },
    handler: async () => {
      await app.services.accounts.accountCount();
      return { status: 'ok' as const, mode: app.config.mode, version: '0.1.0' };
    },
  });
}
