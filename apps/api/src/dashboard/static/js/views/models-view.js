import { getJson } from '../api.js';
import { clear, h } from '../dom.js';
import { stateBadge } from './state-badge.js';

const BUSY = [3, 4];

/** The account's models with their state; polls while any of them is queued or training. */
export function renderModels(root) {
  const list = h('div.model-list#models');
  root.append(h('div.page-head', h('h1', 'Models'), h('a.button-link.primary#new-model-link', { href: '#/new' }, 'New model')), list);
  let timer;
  let stopped = false;
  const load = async () => {
    try {
      const { models } = await getJson('/v1/models');
      clear(list);
      if (!models.length) list.append(h('p.muted', 'No models yet: press "New model" to make a classifier from a folder of images.'));
      for (const m of models) {
        list.append(
          h(
            'a.card.model-card',
            { href: `#/models/${encodeURIComponent(m.id)}`, dataset: { modelId: m.id } },
            h('div.model-card-head', h('strong', m.name || m.id.slice(0, 8)), stateBadge(m.state)),
            h('div.muted', m.status),
            BUSY.includes(m.state) ? progressFromStatus(m.status) : null,
            h('div.small', `${m.categories.length} classes · ${m.imageCount} images · ${m.activeVersion ? `version ${m.activeVersion}` : 'not trained'}`),
            h('div.chips', m.categories.map((c) => h('span.chip', `${c.name} ${c.count}`))),
          ),
        );
      }
      if (!stopped && models.some((m) => BUSY.includes(m.state))) timer = setTimeout(load, 2000);
    } catch (err) {
      clear(list).append(h('p.error', err.message));
    }
  };
  void load();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** The status line carries the percentage ("Training: fit 42%"); the list shows it as a bar. */
function progressFromStatus(status) {
  const m = /(\d+)%/.exec(status);
  return m ? h('progress', { max: 100, value: Number(m[1]) }) : h('progress');
}
