import { s } from '../dom.js';
import { linear } from './scale.js';

/**
 * A reliability diagram: per confidence bin, the share of right predictions (bar height) against the diagonal a
 * calibrated model would sit on. `series` = [{ name, color, bins: [{lower, upper, count, meanConfidence, accuracy}] }],
 * drawn side by side within each bin; empty bins are left out. Each bar's title gives its figures.
 */
export function reliabilityDiagram({ title, series, width = 440, height = 300 }) {
  const m = { top: 28 + 16, right: 16, bottom: 40, left: 48 };
  const x = linear([0, 1], [m.left, width - m.right]);
  const y = linear([0, 1], [height - m.bottom, m.top]);
  const svg = s('svg.chart.reliability-diagram', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  svg.append(s('text.chart-title', { x: m.left, y: 16 }, title));
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(s('line.grid', { x1: m.left, x2: width - m.right, y1: y(t), y2: y(t) }));
    svg.append(s('text.tick', { x: m.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, `${Math.round(t * 100)}%`));
    svg.append(s('text.tick', { x: x(t), y: height - m.bottom + 16, 'text-anchor': 'middle' }, `${Math.round(t * 100)}%`));
  }
  svg.append(s('line.axis', { x1: m.left, x2: width - m.right, y1: height - m.bottom, y2: height - m.bottom }));
  svg.append(s('line.axis', { x1: m.left, x2: m.left, y1: m.top, y2: height - m.bottom }));
  svg.append(s('line.diagonal', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), stroke: '#888', 'stroke-dasharray': '4 4' }));
  svg.append(s('text.axis-label', { x: (m.left + width - m.right) / 2, y: height - 6, 'text-anchor': 'middle' }, 'confidence (top-class probability)'));
  const mid = (m.top + height - m.bottom) / 2;
  svg.append(s('text.axis-label', { x: 12, y: mid, transform: `rotate(-90 12 ${mid})`, 'text-anchor': 'middle' }, 'share right'));
  series.forEach((sr, i) => {
    for (const b of sr.bins) {
      if (!b.count) continue;
      const w = (x(b.upper) - x(b.lower)) / series.length;
      const x0 = x(b.lower) + i * w;
      svg.append(
        s('rect.bin', { x: x0 + 1, y: y(b.accuracy), width: Math.max(1, w - 2), height: Math.max(0, y(0) - y(b.accuracy)), fill: sr.color, opacity: 0.85, dataset: { series: sr.name, count: b.count } },
          s('title', `${sr.name}: confidence ${Math.round(b.lower * 100)}–${Math.round(b.upper * 100)}%, ${b.count} image${b.count === 1 ? '' : 's'}, mean confidence ${(b.meanConfidence * 100).toFixed(1)}%, right ${(b.accuracy * 100).toFixed(1)}%`)),
      );
      // A tick at the bin's mean confidence: a calibrated bar reaches it.
      svg.append(s('line.bin-confidence', { x1: x0 + 1, x2: x0 + Math.max(1, w - 2), y1: y(b.meanConfidence), y2: y(b.meanConfidence), stroke: '#222', 'stroke-width': 1.5 }));
    }
    const lx = m.left + i * 150;
    svg.append(s('rect', { x: lx, y: 26, width: 12, height: 10, fill: sr.color }));
    svg.append(s('text.legend', { x: lx + 16, y: 35 }, sr.name));
  });
  return svg;
}
