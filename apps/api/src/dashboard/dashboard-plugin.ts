import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import path from 'node:path';
import { loadStaticFiles, type StaticFile } from './static-files';
import { dashboardVendorRoutes } from './vendor-files';

/**
 * Everything the page may load comes from this server: scripts, styles, workers, and API calls; images arrive as
 * blob URLs (fetched with the Authorization header) or data URLs. No inline script, so a stored XSS has nowhere to run.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface DashboardOptions {
  /** Folder with the static files (defaults to the one beside this file). */
  root?: string;
}

/** The header the dashboard's fetches carry (the convention XHR libraries use for "a script, not a person"). */
export const SCRIPT_REQUEST_HEADER = 'x-requested-with';

/**
 * The web dashboard: static HTML, CSS and ES modules under `/dashboard/`, talking to the `/v1` API.
 * Not encapsulated (skip-override, as fastify-plugin does) because of one hook that must see the API's replies.
 */
export async function dashboardPlugin(app: FastifyInstance, opts: DashboardOptions = {}) {
  // A 401 carrying `WWW-Authenticate: Basic` makes browsers open their own password dialog and hold the fetch until
  // someone answers it. NanoNets clients rely on that challenge, so it stays, except for requests the dashboard's
  // scripts make: they handle 401 themselves (back to the sign-in form).
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 401 && request.headers[SCRIPT_REQUEST_HEADER] === 'XMLHttpRequest') reply.removeHeader('www-authenticate');
    return payload;
  });
  const files = loadStaticFiles(opts.root ?? path.join(__dirname, 'static'));

  const send = (request: FastifyRequest, reply: FastifyReply, file: StaticFile) => {
    reply
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      // Revalidate every time: a deploy must never leave an old module talking to a new API.
      .header('cache-control', 'no-cache')
      .header('etag', file.etag);
    if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
    return reply.type(file.type).send(file.body);
  };

  // Someone who opens the server's address in a browser wants the dashboard, not a 404 in JSON.
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/dashboard/', 302));

  app.get('/dashboard', { schema: { hide: true } }, (request, reply) => {
    // The page's relative URLs need the trailing slash; ignoreTrailingSlash makes both forms reach this route.
    if (!request.url.split('?')[0]!.endsWith('/')) return reply.redirect('/dashboard/', 302);
    return send(request, reply, files.get('index.html')!);
  });

  app.get<{ Params: { '*': string } }>('/dashboard/*', { schema: { hide: true } }, (request, reply) => {
    const file = files.get(request.params['*'] || 'index.html');
    if (!file) return reply.status(404).type('text/plain').send('Not found');
    return send(request, reply, file);
  });

  await dashboardVendorRoutes(app);
}

(dashboardPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
