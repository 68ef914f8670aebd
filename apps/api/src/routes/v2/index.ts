import type { FastifyInstance } from 'fastify';
import { authenticate } from '../../plugins/auth';
import { v2LabelRoutes } from './label';
import { v2ModelRoutes } from './models';
import { v2TrainRoutes } from './train';
import { v2UploadRoutes } from './upload';

/** The NanoNets Image Categorization v2 wire format, both URL styles. */
export async function v2Routes(app: FastifyInstance) {
  app.addHook('onRequest', authenticate);
  await app.register(v2ModelRoutes);
  await app.register(v2UploadRoutes);
  await app.register(v2TrainRoutes);
  await app.register(v2LabelRoutes);
}
