import { h, pct } from '../dom.js';

/** Every version with its headline metrics; clicking a row shows that version's evaluation. */
export function versionsPanel(versions, selected, onSelect) {
  const panel = h('section.card#versions', h('h2', 'Versions'));
  if (!versions.length) return panel.append(h('p.muted', 'No versions yet.')), panel;
  panel.append(
    h('div.table-wrap', h('table.metrics-table.versions-table',
      h('thead', h('tr', h('th', '#'), h('th', 'accuracy'), h('th', 'macro F1'), h('th', 'ECE'), h('th', 'images'), h('th', 'trained'), h('th', ''))),
      h('tbody', versions.map((v) =>
        h('tr', { class: v.number === selected ? 'selected' : '', dataset: { version: v.number }, tabindex: 0, onclick: () => onSelect(v.number), onkeydown: (e) => e.key === 'Enter' && onSelect(v.number) },
          h('td', String(v.number)),
          h('td', pct(v.metrics.accuracy)),
          h('td', pct(v.metrics.macroF1)),
          h('td', pct(v.metrics.ece)),
          h('td', v.metrics.count ?? '–'),
          h('td', new Date(v.createdAt).toLocaleString()),
          h('td', v.active ? h('span.badge.badge-ok', 'active') : '')))))),
  );
  return panel;
}
