import { WEBHOOK_EVENTS } from '@tailor/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';

const tags = ['Notifications'];
const webhookView = z.object({
  id: z.string(),
  url: z.string(),
  modelId: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: z.string(),
});
const deliveryView = z.object({
  id: z.string(),
  event: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  responseCode: z.number().int().nullable(),
  error: z.string().nullable(),
  payload: z.unknown(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});

type HookRow = { id: string; url: string; modelId: string | null; events: string[]; enabled: boolean; createdAt: Date };
const view = (h: HookRow) => ({ id: h.id, url: h.url, modelId: h.modelId, events: h.events, enabled: h.enabled, createdAt: h.createdAt.toISOString() });

type DeliveryRow = { id: string; event: string; status: string; attempts: number; responseCode: number | null; error: string | null; payload: unknown; createdAt: Date; deliveredAt: Date | null };
const deliveryViewOf = (d: DeliveryRow) => ({
  id: d.id,
  event: d.event,
  status: d.status as 'pending' | 'delivered' | 'failed',
  attempts: d.attempts,
  responseCode: d.responseCode,
  error: d.error,
  payload: d.payload,
  createdAt: d.createdAt.toISOString(),
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
});

export async function v1WebhookRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.route({
    method: 'POST',
    url: '/webhooks',
    schema: {
      operationId: 'createWebhook',
      tags,
      summary: 'Register a webhook for the account or one model',
      description:
        'Tailor POSTs a JSON event (`training.finished`, `training.failed`) with `X-Tailor-Signature: t=<unix>,v1=<hex>` ' +
        'where v1 = HMAC-SHA256(secret, "<t>.<body>"). The secret is returned here once. Failed deliveries are retried with backoff.',
      body: z.object({ url: z.url(), modelId: z.string().optional(), events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).optional() }),
      response: { 201: webhookView.extend({ secret: z.string() }) },
    },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'train');
      const hook = await app.services.notifications.createWebhook(accountId, request.body);
      return reply.status(201).send({ ...view(hook), secret: hook.secret });
    },
  });

  r.route({
    method: 'GET',
    url: '/webhooks',
    schema: { operationId: 'listWebhooks', tags, summary: "The account's webhooks", response: { 200: z.object({ webhooks: z.array(webhookView) }) } },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      return { webhooks: (await app.services.notifications.listWebhooks(accountId)).map(view) };
    },
  });

  r.route({
    method: 'DELETE',
    url: '/webhooks/:webhookId',
    schema: { operationId: 'deleteWebhook', tags, summary: 'Remove a webhook', params: z.object({ webhookId: z.string() }) },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'train');
      await app.services.notifications.deleteWebhook(accountId, request.params.webhookId);
      return reply.status(204).send();
    },
  });

  r.route({
    method: 'POST',
    url: '/webhooks/:webhookId/test',
    schema: {
      operationId: 'testWebhook',
      tags,
      summary: 'Send a signed test delivery (event `webhook.test`) now; its result appears in the delivery log',
      params: z.object({ webhookId: z.string() }),
      response: { 202: deliveryView },
    },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'train');
      const d = await app.services.notifications.sendTest(accountId, request.params.webhookId);
      return reply.status(202).send(deliveryViewOf(d));
    },
  });

  r.route({
    method: 'GET',
    url: '/webhooks/:webhookId/deliveries',
    schema: {
      operationId: 'listDeliveries',
      tags,
      summary: 'The delivery log: every event sent, its attempts, response code and error',
      params: z.object({ webhookId: z.string() }),
      response: { 200: z.object({ deliveries: z.array(deliveryView) }) },
    },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      const rows = await app.services.notifications.deliveries(accountId, request.params.webhookId);
      return { deliveries: rows.map(deliveryViewOf) };
    },
  });
}
