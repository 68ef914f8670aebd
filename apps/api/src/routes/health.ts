import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

export async function healthRoutes(app: FastifyInstance, opts: { compute?: Record<string, unknown> }) {
  app.withTypeProvider<ZodTypeProvider>().route({
    method: 'GET',
    url: '/health',
    schema: {
      operationId: 'health',
      tags: ['Service'],
      summary: 'Liveness and readiness: 200 once the database answers',
      description: 'Also says what this process computes with: the TensorFlow.js backend and whether it sees a GPU, and the onnxruntime execution providers in use and available.',
      response: {
        200: z.object({
          status: z.literal('ok'),
          mode: z.string(),
          version: z.string(),
          compute: z
            .object({ tensorflowJs: z.string(), tensorflowGpu: z.boolean(), onnxruntime: z.array(z.string()), onnxruntimeAvailable: z.array(z.string()), cpus: z.number() })
            .optional(),
        }),
      },
    },
    handler: async () => {
      await app.services.accounts.accountCount();
      return { status: 'ok' as const, mode: app.config.mode, version: '0.1.0', ...(opts.compute ? { compute: opts.compute as never } : {}) };
    },
  });
}
