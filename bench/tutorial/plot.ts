import { writeFileSync } from 'node:fs';
import type { CnnEpochStats as EpochStats } from '../../packages/ml/src/cnn';

/**
 * Training curves as a PNG: an SVG drawn here (accuracy and loss panels, train solid / validation dashed, a grey
 * line where augmentation starts) rasterised by sharp, so no plotting dependency is needed. The SVG is kept beside
 * the PNG; where sharp cannot load (a bundled copy of this benchmark run on a bare machine) only the SVG is written.
 */
export async function plotHistory(title: string, history: EpochStats[], file: string): Promise<void> {
  const panel = (x0: number, key: 'accuracy' | 'loss', valKey: 'valAccuracy' | 'valLoss', label: string) => {
    const w = 420;
    const h = 260;
    const left = x0 + 50;
    const top = 50;
    const train = history.map((e) => e[key]);
    const val = history.map((e) => e[valKey]).filter((v): v is number => v !== undefined);
    const all = [...train, ...val];
    let lo = Math.min(...all);
    let hi = Math.max(...all);
    if (hi - lo < 1e-6) {
      lo -= 0.5;
      hi += 0.5;
    }
    const pad = (hi - lo) * 0.08;
    lo -= pad;
    hi += pad;
    const n = history.length;
    const px = (i: number) => left + (n === 1 ? w / 2 : (i * w) / (n - 1));
    const py = (v: number) => top + h - ((v - lo) / (hi - lo)) * h;
    const line = (vs: number[], colour: string, dash: string) =>
      `<polyline fill="none" stroke="${colour}" stroke-width="2" ${dash} points="${vs.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' ')}"/>` +
      vs.map((v, i) => `<circle cx="${px(i).toFixed(1)}" cy="${py(v).toFixed(1)}" r="3" fill="${colour}"/>`).join('');
    const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
      const v = lo + f * (hi - lo);
      return `<line x1="${left}" x2="${left + w}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/><text x="${left - 6}" y="${py(v) + 4}" font-size="11" text-anchor="end">${v.toFixed(3)}</text>`;
    });
    const xTicks = history.map((e, i) => `<text x="${px(i)}" y="${top + h + 16}" font-size="11" text-anchor="middle">${e.epoch}</text>`);
    const augStart = history.findIndex((e) => e.augmented);
    const augLine = augStart > 0 ? `<line x1="${(px(augStart - 1) + px(augStart)) / 2}" x2="${(px(augStart - 1) + px(augStart)) / 2}" y1="${top}" y2="${top + h}" stroke="#999" stroke-dasharray="2 3"/><text x="${(px(augStart - 1) + px(augStart)) / 2 + 4}" y="${top + 12}" font-size="11" fill="#666">augmentation</text>` : '';
    return [
      `<text x="${left + w / 2}" y="${top - 12}" font-size="14" text-anchor="middle">${label}</text>`,
      ...ticks,
      ...xTicks,
      `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`,
      augLine,
      line(train, '#1f77b4', ''),
      val.length === n ? line(val, '#d62728', 'stroke-dasharray="6 4"') : '',
      `<text x="${left + w / 2}" y="${top + h + 34}" font-size="12" text-anchor="middle">epoch</text>`,
    ].join('');
  };
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="400" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="500" y="22" font-size="16" text-anchor="middle">${escapeXml(title)}</text>
${panel(0, 'accuracy', 'valAccuracy', 'accuracy')}${panel(500, 'loss', 'valLoss', 'loss')}
<line x1="380" x2="410" y1="385" y2="385" stroke="#1f77b4" stroke-width="2"/><text x="415" y="389" font-size="12">training</text>
<line x1="490" x2="520" y1="385" y2="385" stroke="#d62728" stroke-width="2" stroke-dasharray="6 4"/><text x="525" y="389" font-size="12">validation</text>
</svg>`;
  writeFileSync(file.replace(/\.png$/, '.svg'), svg);
  try {
    const sharp = (await import('sharp')).default;
    await sharp(Buffer.from(svg)).png().toFile(file);
  } catch (e) {
    console.warn(`PNG not written (${(e as Error).message.split('\n')[0]}); SVG kept`);
  }
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
