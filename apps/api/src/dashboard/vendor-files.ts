import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

/**
 * Third-party browser scripts the dashboard loads, served from the installed npm packages (the page allows scripts from
 * 'self' only, and no CDN is reachable from every installation). Read once, on first request.
 */
const VENDOR: Record<string, string> = {
  // TensorFlow.js (core, converter, CPU and WebGL backends): the Export tab runs a TF.js bundle in the browser.
  'tf.min.js': require.resolve('@tensorflow/tfjs/dist/tf.es2017.min.js'),
};

export async function dashboardVendorRoutes(app: FastifyInstance) {
  const cache = new Map<string, { body: Buffer; etag: string }>();
  app.get<{ Params: { file: string } }>('/dashboard/vendor/:file', { schema: { hide: true } }, (request, reply) => {
    const path = Object.hasOwn(VENDOR, request.params.file) ? VENDOR[request.params.file] : undefined;
    if (!path) return reply.status(404).type('text/plain').send('Not found');
    let file = cache.get(path);
    if (!file) {
      const body = readFileSync(path);
      file = { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
      cache.set(path, file);
    }
    reply.header('x-content-type-options', 'nosniff').header('cache-control', 'public, max-age=86400').header('etag', file.etag);
    if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
    return reply.type('text/javascript; charset=utf-8').send(file.body);
  });
}
