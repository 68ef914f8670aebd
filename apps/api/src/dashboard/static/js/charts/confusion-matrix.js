import { s } from '../dom.js';

/**
 * The confusion matrix (rows: actual, columns: predicted) as an SVG heat map shaded by row share, so a class with few
 * images is as readable as a big one. Every cell is a button: `onCell(actual, predicted, count)`.
 */
export function confusionMatrix({ classes, matrix, onCell }) {
  const n = classes.length;
  const cell = Math.max(34, Math.min(64, Math.floor(480 / Math.max(1, n))));
  const labelW = Math.min(140, 12 + Math.max(...classes.map((c) => c.length)) * 7.5);
  const top = labelW;
  const left = labelW + 22;
  const width = left + n * cell + 8;
  const height = top + n * cell + 8;
  const svg = s('svg.chart.confusion', { viewBox: `0 0 ${width} ${height}`, width, role: 'grid', 'aria-label': 'Confusion matrix' });
  svg.append(s('text.axis-label', { x: left + (n * cell) / 2, y: 12, 'text-anchor': 'middle' }, 'predicted →'));
  svg.append(s('text.axis-label', { x: 10, y: top + (n * cell) / 2, 'text-anchor': 'middle', transform: `rotate(-90 10 ${top + (n * cell) / 2})` }, 'actual →'));
  classes.forEach((c, j) => {
    const x = left + j * cell + cell / 2;
    svg.append(s('text.tick', { x, y: top - 6, transform: `rotate(-45 ${x} ${top - 6})` }, c));
  });
  classes.forEach((actual, i) => {
    const rowTotal = matrix[i].reduce((a, b) => a + b, 0) || 1;
    svg.append(s('text.tick', { x: left - 6, y: top + i * cell + cell / 2 + 4, 'text-anchor': 'end' }, actual));
    classes.forEach((predicted, j) => {
      const count = matrix[i][j];
      const share = count / rowTotal;
      // Correct cells in blue, mistakes in red: the eye goes to the red.
      const hue = i === j ? '48, 86, 211' : '214, 39, 40';
      const g = s('g.cm-cell', {
        role: 'gridcell',
        tabindex: 0,
        dataset: { actual, predicted, count, correct: i === j },
        onclick: () => onCell(actual, predicted, count),
        onkeydown: (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), onCell(actual, predicted, count)),
      });
      g.append(s('rect', { x: left + j * cell, y: top + i * cell, width: cell - 2, height: cell - 2, rx: 3, fill: count ? `rgba(${hue}, ${0.12 + 0.88 * share})` : '#f4f5f7' }));
      // A style, not the fill attribute: the stylesheet's `.chart text` colour would win over an attribute.
      g.append(s('text.cm-count', { x: left + j * cell + cell / 2 - 1, y: top + i * cell + cell / 2 + 4, 'text-anchor': 'middle', style: { fill: share > 0.55 ? '#fff' : '#222' } }, String(count)));
      g.append(s('title', `actual ${actual}, predicted ${predicted}: ${count} (${(share * 100).toFixed(0)}% of ${actual})`));
      svg.append(g);
    });
  });
  return svg;
}
