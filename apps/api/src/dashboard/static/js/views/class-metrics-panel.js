import { groupedBars } from '../charts/bar-chart.js';
import { h, pct } from '../dom.js';

/** Precision, recall and F1 per class, as bars and as a table. */
export function classMetricsPanel(perClass) {
  const panel = h('section.card#per-class', h('h2', 'Per-class precision, recall, F1'));
  if (!perClass.length) return panel.append(h('p.muted', 'No per-class metrics.')), panel;
  panel.append(
    groupedBars({
      title: 'Cross-validated, per class',
      categories: perClass.map((c) => c.label),
      series: [
        { name: 'precision', color: '#3056d3', values: perClass.map((c) => c.precision) },
        { name: 'recall', color: '#2b9348', values: perClass.map((c) => c.recall) },
        { name: 'F1', color: '#e8590c', values: perClass.map((c) => c.f1) },
      ],
    }),
    h('div.table-wrap', h('table.metrics-table',
      h('thead', h('tr', h('th', 'class'), h('th', 'precision'), h('th', 'recall'), h('th', 'F1'), h('th', 'images'))),
      h('tbody', perClass.map((c) => h('tr', { dataset: { label: c.label } }, h('td', c.label), h('td', pct(c.precision)), h('td', pct(c.recall)), h('td', pct(c.f1)), h('td', c.support)))))),
  );
  return panel;
}
