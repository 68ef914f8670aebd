import { getJson, modelPath } from '../api.js';
import { h } from '../dom.js';
import { modelTabs } from './model-tabs.js';
import { stateBadge } from './state-badge.js';

/** The top of every model view: name, state, status line, tabs. Returns the model it loaded. */
export async function modelHeader(container, modelId, tab) {
  const model = await getJson(modelPath(modelId));
  document.title = `${model.name || 'Model'} · Tailor`;
  container.replaceChildren(
    h('h1', model.name || model.id, ' ', stateBadge(model.state)),
    h('p.muted#model-status', model.status),
    h('p.small.muted', `id ${model.id} · architecture ${model.architecture}`),
    modelTabs(modelId, tab),
  );
  return model;
}
