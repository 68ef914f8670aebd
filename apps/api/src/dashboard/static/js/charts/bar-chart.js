import { s } from '../dom.js';
import { linear, niceTicks } from './scale.js';

/** Grouped vertical bars on a 0–1 axis: one group per category, one bar per series (precision, recall, F1). */
export function groupedBars({ title, categories, series, width = 560, height = 260 }) {
  const m = { top: 40, right: 12, bottom: 48, left: 44 };
  const y = linear([0, 1], [height - m.bottom, m.top]);
  const groupW = (width - m.left - m.right) / Math.max(1, categories.length);
  const barW = Math.min(22, (groupW * 0.8) / series.length);
  const svg = s('svg.chart.bar-chart', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  svg.append(s('text.chart-title', { x: m.left, y: 16 }, title));
  for (const t of niceTicks(0, 1, 5)) {
    svg.append(s('line.grid', { x1: m.left, x2: width - m.right, y1: y(t), y2: y(t) }));
    svg.append(s('text.tick', { x: m.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, `${Math.round(t * 100)}%`));
  }
  categories.forEach((c, i) => {
    const gx = m.left + i * groupW + (groupW - barW * series.length) / 2;
    series.forEach((sr, k) => {
      const v = sr.values[i] ?? 0;
      svg.append(
        s('rect.bar', { x: gx + k * barW, y: y(v), width: barW - 2, height: y(0) - y(v), fill: sr.color, dataset: { category: c, series: sr.name, value: v } },
          s('title', `${c} ${sr.name}: ${(v * 100).toFixed(1)}%`)),
      );
    });
    svg.append(s('text.tick', { x: m.left + i * groupW + groupW / 2, y: height - m.bottom + 16, 'text-anchor': 'middle' }, c));
  });
  svg.append(s('line.axis', { x1: m.left, x2: width - m.right, y1: y(0), y2: y(0) }));
  series.forEach((sr, k) => {
    const lx = m.left + 8 + k * 100;
    svg.append(s('rect', { x: lx, y: 24, width: 12, height: 12, fill: sr.color }));
    svg.append(s('text.legend', { x: lx + 16, y: 34 }, sr.name));
  });
  return svg;
}
