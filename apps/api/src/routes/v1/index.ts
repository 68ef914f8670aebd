import type { FastifyInstance } from 'fastify';
import { authenticate } from '../../plugins/auth';
import { v1AccountRoutes } from './account';
import { v1DatasetRoutes } from './datasets';
import { v1ExportRoutes } from './exports';
import { v1CategoryRoutes } from './categories';
import { v1ImageRoutes } from './images';
import { v1InsightRoutes } from './insights';
import { v1ModelRoutes } from './models';
import { v1PredictRoutes } from './predict';
import { v1ProjectorRoutes } from './projector';
import { v1TrainingOptionsRoutes } from './training-options';
import { v1TrainingRoutes } from './training';
import { v1VersionRoutes } from './versions';
import { v1WebhookRoutes } from './webhooks';

/** The native API: everything the v2 format cannot carry. */
export async function v1Routes(app: FastifyInstance) {
  app.addHook('onRequest', authenticate);
  await app.register(v1AccountRoutes);
  await app.register(v1ModelRoutes);
  await app.register(v1CategoryRoutes);
  await app.register(v1TrainingOptionsRoutes);
  await app.register(v1ImageRoutes);
  await app.register(v1InsightRoutes);
  await app.register(v1TrainingRoutes);
  await app.register(v1VersionRoutes);
  await app.register(v1PredictRoutes);
  await app.register(v1WebhookRoutes);
  await app.register(v1ProjectorRoutes);
  await app.register(v1ExportRoutes);
  await app.register(v1DatasetRoutes);
}
