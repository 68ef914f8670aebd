import { v1 } from '@tailor/contracts';
import { progressLine } from '@tailor/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../plugins/auth';
import { toRunView } from '../../views/run-view';
import { modelParams } from './models';

const tags = ['Training'];
const runParams = modelParams.extend({ runId: z.string() });
const TERMINAL = ['succeeded', 'failed', 'canceled'];

export async function v1TrainingRoutes(app: FastifyInstance) {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.route({
    method: 'POST',
    url: '/models/:modelId/train',
    schema: {
      operationId: 'train',
      tags,
      summary: 'Start a training run (returns at once; follow it with GET …/runs/:runId or …/events)',
      params: modelParams,
      // Optional: a bare `curl -X POST` (no body, no content type) starts a run with the defaults.
      body: v1.trainBody.nullish(),
      response: { 202: v1.runView },
    },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'train');
      const run = await app.services.training.start(accountId, request.params.modelId, request.body ?? {});
      const full = await app.services.training.getRun(accountId, request.params.modelId, run.id);
      return reply.status(202).header('location', `/v1/models/${request.params.modelId}/runs/${run.id}`).send(toRunView(full));
    },
  });

  r.route({
    method: 'GET',
    url: '/models/:modelId/runs',
    schema: { operationId: 'listRuns', tags, summary: 'Training runs, newest first', params: modelParams, response: { 200: z.object({ runs: z.array(v1.runView) }) } },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      const runs = await app.services.training.listRuns(accountId, request.params.modelId);
      return { runs: await Promise.all(runs.map(async (run) => toRunView(await app.services.training.withQueuePosition(run)))) };
    },
  });

  r.route({
    method: 'GET',
    url: '/models/:modelId/runs/:runId',
    schema: { operationId: 'getRun', tags, summary: 'A run: phase, progress, epoch, ETA, queue position', params: runParams, response: { 200: v1.runView } },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'predict');
      return toRunView(await app.services.training.getRun(accountId, request.params.modelId, request.params.runId));
    },
  });

  r.route({
    method: 'POST',
    url: '/models/:modelId/runs/:runId/cancel',
    schema: { operationId: 'cancelRun', tags, summary: 'Cancel a queued or running run', params: runParams, response: { 200: v1.runView } },
    handler: async (request) => {
      const { accountId } = await authorize(request, 'train');
      return toRunView(await app.services.training.cancel(accountId, request.params.modelId, request.params.runId));
    },
  });

  r.route({
    method: 'GET',
    url: '/models/:modelId/runs/:runId/events',
    schema: {
      operationId: 'runEvents',
      tags,
      summary: 'Live progress as server-sent events',
      description: 'Each `progress` event carries the run view as JSON (plus a one-line `status`); the stream ends with an `end` event when the run finishes.',
      params: runParams,
      produces: ['text/event-stream'],
    },
    handler: async (request, reply) => {
      const { accountId } = await authorize(request, 'predict');
      const { modelId, runId } = request.params;
      await app.services.training.getRun(accountId, modelId, runId); // 404 before the stream starts
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': request.id });
      let closed = false;
      request.raw.on('close', () => (closed = true));
      let last = '';
      // PostgreSQL is the record of truth and workers may be other processes, so the stream polls it; a change is
      // sent as soon as it is seen, and a comment keeps idle connections alive through proxies.
      while (!closed) {
        const run = toRunView(await app.services.training.getRun(accountId, modelId, runId));
        const payload = JSON.stringify({ ...run, status_line: progressLine({ ...run, epoch: run.epoch, epochs: run.epochs }) });
        if (payload !== last) {
          res.write(`event: progress\ndata: ${payload}\n\n`);
          last = payload;
        } else res.write(': keep-alive\n\n');
        if (TERMINAL.includes(run.status)) {
          res.write(`event: end\ndata: ${JSON.stringify({ status: run.status })}\n\n`);
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      res.end();
    },
  });
}
