/** SVG drawings of a version's evaluation, rasterised to PNG by the `plots` command. Pure functions of the metrics. */

export interface EpochPoint {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
}

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

function panel(x0: number, title: string, series: Array<{ name: string; points: Array<[number, number]>; colour: string; dashed: boolean }>, w: number, h: number): string {
  const pad = { l: 50, r: 10, t: 30, b: 35 };
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return `<text x="${x0 + w / 2}" y="${h / 2}" text-anchor="middle">no ${esc(title)} recorded</text>`;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [xmin, xmax] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  let [ymin, ymax] = [Math.min(...ys), Math.max(...ys)];
  if (ymax - ymin < 1e-6) [ymin, ymax] = [ymin - 0.5, ymax + 0.5];
  const sx = (x: number) => x0 + pad.l + ((x - xmin) / (xmax - xmin)) * (w - pad.l - pad.r);
  const sy = (y: number) => pad.t + (1 - (y - ymin) / (ymax - ymin)) * (h - pad.t - pad.b);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => ymin + f * (ymax - ymin));
  const out = [`<text x="${x0 + w / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`];
  out.push(`<rect x="${sx(xmin)}" y="${pad.t}" width="${w - pad.l - pad.r}" height="${h - pad.t - pad.b}" fill="none" stroke="#999"/>`);
  for (const t of ticks) {
    out.push(`<line x1="${sx(xmin)}" x2="${sx(xmax)}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    out.push(`<text x="${sx(xmin) - 4}" y="${sy(t) + 4}" text-anchor="end" font-size="10">${t.toFixed(3)}</text>`);
  }
  out.push(`<text x="${x0 + w / 2}" y="${h - 6}" text-anchor="middle" font-size="11">epoch</text>`);
  series.forEach((s, i) => {
    const d = s.points.map(([x, y], k) => `${k ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,4"' : ''}/>`);
    out.push(`<text x="${x0 + pad.l + 8}" y="${pad.t + 14 + 13 * i}" font-size="11" fill="${s.colour}">${esc(s.name)}</text>`);
  });
  return out.join('');
}

/** Training (solid) and validation (dashed, when recorded) accuracy and loss per epoch, one colour per member. */
export function curvesSvg(curves: Array<{ member: string; epochs: EpochPoint[] }>): string {
  const [w, h] = [480, 320];
  const series = (metric: 'accuracy' | 'loss') =>
    curves.flatMap((c, i) => {
      const colour = COLOURS[i % COLOURS.length]!;
      const val = metric === 'accuracy' ? 'valAccuracy' : 'valLoss';
      const s = [{ name: `${c.member} train`, points: c.epochs.map((e) => [e.epoch, e[metric]] as [number, number]), colour, dashed: false }];
      const v = c.epochs.filter((e) => typeof e[val] === 'number');
      if (v.length) s.push({ name: `${c.member} validation`, points: v.map((e) => [e.epoch, e[val]!] as [number, number]), colour, dashed: true });
      return s;
    });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * w}" height="${h}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${panel(0, 'accuracy', series('accuracy'), w, h)}${panel(w, 'loss', series('loss'), w, h)}</svg>`;
}

/** The confusion matrix: rows actual, columns predicted, cells shaded by the row's share, with counts. */
export function confusionSvg(classes: string[], matrix: number[][]): string {
  const n = classes.length;
  const cell = Math.max(28, Math.min(60, Math.floor(600 / Math.max(n, 1))));
  const left = 110;
  const top = 110;
  const size = left + n * cell + 20;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${top + n * cell + 40}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>`];
  out.push(`<text x="${left + (n * cell) / 2}" y="16" text-anchor="middle" font-weight="bold">predicted</text>`);
  out.push(`<text x="14" y="${top + (n * cell) / 2}" transform="rotate(-90 14 ${top + (n * cell) / 2})" text-anchor="middle" font-weight="bold">actual</text>`);
  classes.forEach((c, i) => {
    out.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" font-size="11">${esc(c)}</text>`);
    const x = left + i * cell + cell / 2;
    out.push(`<text x="${x}" y="${top - 6}" transform="rotate(-45 ${x} ${top - 6})" font-size="11">${esc(c)}</text>`);
  });
  matrix.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((v, j) => {
      const share = v / total;
      const fill = i === j ? `rgba(31,119,180,${0.1 + 0.9 * share})` : `rgba(214,39,40,${v ? 0.15 + 0.85 * share : 0})`;
      out.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#ccc"/>`);
      out.push(`<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" font-size="12" fill="${share > 0.6 ? 'white' : 'black'}">${v}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('');
}
