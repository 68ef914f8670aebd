import { v1 } from '@tailor/contracts';
import { isUuid, NotFoundError } from '@tailor/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';

const tags = ['Account'];
const accountView = z
  .object({ id: z.string(), name: z.string(), email: z.string().nullable(), notifyEmail: z.boolean(), scopes: z.array(z.string()) })
  .extend(v1.accountUsageView.shape);

export async function v1AccountRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const keyView = (k: { id: string; name: string; prefix: string; scopes: string[]; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }) => ({
    ...k,
    createdAt: k.createdAt.toISOString(),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
  });

  // Quotas and what the account uses of them, with the per-key request limit (see plugins/rate-limit.ts).
  const usage = async (accountId: string) => {
    const u = await app.services.quotas.usage(accountId);
    const perMinute = app.config.TAILOR_RATE_LIMIT_PER_MINUTE;
    return {
      quotas: { ...u, trainingMinutesToday: { ...u.trainingMinutesToday, resetsAt: u.trainingMinutesToday.resetsAt.toISOString() } },
      rateLimit: { requestsPerMinute: perMinute > 0 ? perMinute : null },
    };
  };

  r.route({
    method: 'GET',
    url: '/account',
    schema: { operationId: 'getAccount', tags, summary: 'The account of the presented key, its quotas and what it uses of them', response: { 200: accountView } },
    handler: async (request) => {
      const p = await authorize(request, 'predict');
      const a = await app.services.accounts.getAccount(p.accountId);
      return { id: a.id, name: a.name, email: a.email, notifyEmail: a.notifyEmail, scopes: p.scopes, ...(await usage(p.accountId)) };
    },
  });

  r.route({
    method: 'PATCH',
    url: '/account',
    schema: {
      operationId: 'updateAccount',
      tags,
      summary: 'Set the name, the e-mail address training notifications go to, and whether to send them',
      body: z.object({ name: z.string().min(1).max(200).optional(), email: z.email().nullable().optional(), notifyEmail: z.boolean().optional() }),
      response: { 200: accountView },
    },
    handler: async (request) => {
      const p = await authorize(request, 'admin');
      const a = await app.services.accounts.updateAccount(p.accountId, request.body);
      return { id: a.id, name: a.name, email: a.email, notifyEmail: a.notifyEmail, scopes: p.scopes, ...(await usage(p.accountId)) };
    },
  });

  r.route({
    method: 'GET',
    url: '/keys',
    schema: { operationId: 'listKeys', tags, summary: "The account's API keys (never the keys themselves)", response: { 200: z.object({ keys: z.array(v1.keyView) }) } },
    handler: async (request) => {
      const p = await authorize(request, 'admin');
      return { keys: (await app.services.accounts.listKeys(p.accountId)).map(keyView) };
    },
  });

  r.route({
    method: 'POST',
    url: '/keys',
    schema: {
      operationId: 'createKey',
      tags,
      summary: 'Create an API key (returned once); scopes: train, predict, admin',
      body: v1.createKeyBody,
      response: { 201: z.object({ id: z.string(), key: z.string(), prefix: z.string(), scopes: z.array(z.string()) }) },
    },
    handler: async (request, reply) => {
      const p = await authorize(request, 'admin');
      return reply.status(201).send(await app.services.accounts.createKey(p.accountId, request.body));
    },
  });

  r.route({
    method: 'DELETE',
    url: '/keys/:keyId',
    schema: { operationId: 'revokeKey', tags, summary: 'Revoke an API key', params: z.object({ keyId: z.string() }) },
    handler: async (request, reply) => {
      const p = await authorize(request, 'admin');
      if (!isUuid(request.params.keyId) || !(await app.services.accounts.revokeKey(p.accountId, request.params.keyId))) {
        throw new NotFoundError('Key', request.params.keyId);
      }
      return reply.status(204).send();
    },
  });
}
