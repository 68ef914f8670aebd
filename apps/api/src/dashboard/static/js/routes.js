import { renderAccount } from './views/account-view.js';
import { renderCompare } from './views/compare-view.js';
import { renderExport } from './views/export-view.js';
import { renderImagesView } from './views/images-view.js';
import { renderModel } from './views/model-view.js';
import { renderModels } from './views/models-view.js';
import { renderNewModel } from './views/new-model-view.js';

/**
 * Hash routes → views. A view renders into `root` and may return a cleanup function (stop polling, abort streams).
 * `nav` names the top-bar link to mark as current. New views (a model's export page, #17's labelling) add a line.
 */
export const ROUTES = [
  { pattern: /^\/$/, nav: 'models', render: (root) => renderModels(root) },
  { pattern: /^\/new$/, nav: 'new', render: (root) => renderNewModel(root) },
  { pattern: /^\/account$/, nav: 'account', render: (root) => renderAccount(root) },
  { pattern: /^\/models\/([^/]+)$/, nav: 'models', render: (root, [id]) => renderModel(root, id) },
  { pattern: /^\/models\/([^/]+)\/images$/, nav: 'models', render: (root, [id]) => renderImagesView(root, id) },
  { pattern: /^\/models\/([^/]+)\/compare$/, nav: 'models', render: (root, [id], query) => renderCompare(root, id, query) },
  { pattern: /^\/models\/([^/]+)\/export$/, nav: 'models', render: (root, [id]) => renderExport(root, id) },
];

/** The route for `#/path?query`, its decoded parameters and query; the model list when nothing matches. */
export function matchRoute(hash) {
  const [path, search = ''] = (hash.replace(/^#/, '') || '/').split('?');
  for (const route of ROUTES) {
    const m = path.match(route.pattern);
    if (m) return { route, params: m.slice(1).map(decodeURIComponent), query: new URLSearchParams(search) };
  }
  return { route: ROUTES[0], params: [], query: new URLSearchParams(search) };
}
