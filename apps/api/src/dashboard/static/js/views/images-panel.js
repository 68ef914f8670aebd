import { getJson } from '../api.js';
import { classColor, clear, h } from '../dom.js';
import { thumbnail } from './thumbnail.js';

const SHOWN = 16;

/** The uploaded images per class with counts; the first few of each class as thumbnails, the rest on demand. */
export function imagesPanel(modelId, categories, classes) {
  const panel = h('section.card#images', h('h2', 'Training images'));
  const total = categories.reduce((s, c) => s + c.count, 0);
  panel.append(
    h('div.chips#image-counts', categories.map((c) => h('span.chip', { dataset: { category: c.name, count: c.count } }, h('span.dot', { style: { background: classColor(Math.max(0, classes.indexOf(c.name))) } }), `${c.name}: ${c.count}`)), h('span.chip.chip-total', `total ${total}`)),
  );
  for (const c of categories) {
    const row = h('div.thumbs', { dataset: { category: c.name } });
    const more = h('button.link', { hidden: c.count <= SHOWN }, `show all ${c.count}`);
    panel.append(h('div.class-images', h('h3', `${c.name} `, h('span.muted', `(${c.count})`)), row, more));
    let shown = 0;
    const fill = async (limit) => {
      const { images } = await getJson(`/v1/models/${encodeURIComponent(modelId)}/images?category=${encodeURIComponent(c.name)}&limit=${limit}`);
      clear(row);
      for (const img of images) row.append(thumbnail(modelId, img.id, `${c.name} · ${img.filename ?? img.id}`));
      shown = images.length;
      more.hidden = shown >= c.count;
    };
    more.addEventListener('click', () => void fill(1000));
    if (c.count) void fill(SHOWN).catch((err) => row.append(h('p.error', err.message)));
  }
  return panel;
}
