import { s } from '../dom.js';
import { extent, linear, niceTicks } from './scale.js';

/**
 * An SVG line chart: `series` = [{ name, color, dashed?, points: [{x, y}] }]. Points are drawn as dots too, so a
 * single-epoch curve is still visible. `yDomain` fixes the axis (accuracy: [0, 1]).
 */
export function lineChart({ title, series, xLabel = '', yLabel = '', yDomain, width = 440, height = 260 }) {
  // Legend rows sit between the title and the plot, so they never cover a curve.
  const perRow = 4;
  const legendRows = Math.ceil(series.length / perRow);
  const m = { top: 28 + legendRows * 14, right: 16, bottom: 40, left: 48 };
  const all = series.flatMap((sr) => sr.points);
  const [x0, x1] = extent(all.map((p) => p.x));
  let [y0, y1] = yDomain ?? extent(all.map((p) => p.y));
  if (!yDomain) {
    const pad = (y1 - y0) * 0.08 || 0.1;
    y0 = Math.max(0, y0 - pad);
    y1 += pad;
  }
  const x = linear([x0, x1 === x0 ? x0 + 1 : x1], [m.left, width - m.right]);
  const y = linear([y0, y1], [height - m.bottom, m.top]);
  const svg = s('svg.chart.line-chart', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, dataset: { points: all.length } });
  svg.append(s('text.chart-title', { x: m.left, y: 16 }, title));
  for (const t of niceTicks(y0, y1, 5)) {
    svg.append(s('line.grid', { x1: m.left, x2: width - m.right, y1: y(t), y2: y(t) }));
    svg.append(s('text.tick', { x: m.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, yDomain && yDomain[1] === 1 ? `${Math.round(t * 100)}%` : String(t)));
  }
  const xTicks = niceTicks(x0, x1 === x0 ? x0 + 1 : x1, 6).filter((t) => Number.isInteger(t));
  for (const t of xTicks) svg.append(s('text.tick', { x: x(t), y: height - m.bottom + 16, 'text-anchor': 'middle' }, String(t)));
  svg.append(s('line.axis', { x1: m.left, x2: width - m.right, y1: height - m.bottom, y2: height - m.bottom }));
  svg.append(s('line.axis', { x1: m.left, x2: m.left, y1: m.top, y2: height - m.bottom }));
  svg.append(s('text.axis-label', { x: (m.left + width - m.right) / 2, y: height - 6, 'text-anchor': 'middle' }, xLabel));
  svg.append(s('text.axis-label', { x: 12, y: (m.top + height - m.bottom) / 2, transform: `rotate(-90 12 ${(m.top + height - m.bottom) / 2})`, 'text-anchor': 'middle' }, yLabel));
  series.forEach((sr, i) => {
    if (!sr.points.length) return;
    const d = sr.points.map((p, k) => `${k ? 'L' : 'M'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join('');
    svg.append(s('path.series', { d, stroke: sr.color, fill: 'none', 'stroke-width': 2, 'stroke-dasharray': sr.dashed ? '5 4' : null, dataset: { series: sr.name } }));
    for (const p of sr.points) svg.append(s('circle', { cx: x(p.x), cy: y(p.y), r: 2.5, fill: sr.color }, s('title', `${sr.name}, epoch ${p.x}: ${p.y.toFixed(4)}`)));
    const row = Math.floor(i / perRow);
    const lx = m.left + (i % perRow) * 92;
    const ly = 30 + row * 14;
    svg.append(s('line', { x1: lx, x2: lx + 18, y1: ly, y2: ly, stroke: sr.color, 'stroke-width': 2, 'stroke-dasharray': sr.dashed ? '5 4' : null }));
    svg.append(s('text.legend', { x: lx + 22, y: ly + 4 }, sr.name));
  });
  return svg;
}
