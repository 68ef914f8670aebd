import { lineChart } from '../charts/line-chart.js';
import { h } from '../dom.js';

/** Epoch stats come from two trainers: dense heads (trainLoss…) and the tutorial CNNs (loss, valLoss…). */
function pick(e) {
  return {
    epoch: e.epoch,
    trainLoss: e.trainLoss ?? e.loss,
    trainAccuracy: e.trainAccuracy ?? e.accuracy,
    validationLoss: e.validationLoss ?? e.valLoss,
    validationAccuracy: e.validationAccuracy ?? e.valAccuracy,
  };
}

const TRAIN = '#3056d3';
const VALID = '#e8590c';
const MEMBER_COLORS = ['#3056d3', '#2b9348', '#e8590c', '#9467bd', '#d62728', '#17becf', '#8c564b', '#bcbd22'];

/**
 * Accuracy and loss per epoch of the final fit, training (solid) and validation (dashed). An ensemble's members share
 * the two charts, one colour each, so the panel stays two charts high however many members won.
 */
export function curvesPanel(curves) {
  const panel = h('section.card#curves', h('h2', 'Training curves'));
  if (!curves.length) return panel.append(h('p.muted', 'This version recorded no per-epoch curves.')), panel;
  const single = curves.length === 1;
  const acc = [];
  const loss = [];
  curves.forEach((c, m) => {
    const epochs = c.epochs.map(pick);
    const name = (kind) => (single ? kind : `${m + 1} ${kind === 'training' ? 'train' : 'val'}`);
    const series = (key, kind, color) => ({
      name: name(kind),
      color,
      dashed: kind === 'validation',
      points: epochs.filter((e) => typeof e[key] === 'number').map((e) => ({ x: e.epoch, y: e[key] })),
    });
    const trainColor = single ? TRAIN : MEMBER_COLORS[m % MEMBER_COLORS.length];
    const validColor = single ? VALID : trainColor;
    acc.push(series('trainAccuracy', 'training', trainColor), series('validationAccuracy', 'validation', validColor));
    loss.push(series('trainLoss', 'training', trainColor), series('validationLoss', 'validation', validColor));
  });
  const drawn = (list) => list.filter((sr) => sr.points.length);
  panel.append(
    h('div.charts',
      lineChart({ title: 'Accuracy per epoch', series: drawn(acc), xLabel: 'epoch', yLabel: 'accuracy', yDomain: [0, 1] }),
      lineChart({ title: 'Loss per epoch', series: drawn(loss), xLabel: 'epoch', yLabel: 'loss' })),
  );
  if (!single) panel.append(h('ol.small.members', curves.map((c, m) => h('li', { style: { color: MEMBER_COLORS[m % MEMBER_COLORS.length] } }, h('span.muted', c.member)))));
  else panel.append(h('p.small.muted', curves[0].member));
  if (!curves.some((c) => c.epochs.some((e) => typeof pick(e).validationLoss === 'number'))) {
    panel.append(h('p.small.muted', 'The final fit used every image for training (no validation split); the accuracy above the charts is from cross-validation.'));
  }
  return panel;
}
