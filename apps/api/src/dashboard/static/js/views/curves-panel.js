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

/** Accuracy and loss per epoch of the final fit, training and validation, one pair of charts per member model. */
export function curvesPanel(curves) {
  const panel = h('section.card#curves', h('h2', 'Training curves'));
  if (!curves.length) return panel.append(h('p.muted', 'This version recorded no per-epoch curves.')), panel;
  for (const c of curves) {
    const epochs = c.epochs.map(pick);
    const series = (key, name, color, dashed) => ({
      name,
      color,
      dashed,
      points: epochs.filter((e) => typeof e[key] === 'number').map((e) => ({ x: e.epoch, y: e[key] })),
    });
    const acc = [series('trainAccuracy', 'training', TRAIN), series('validationAccuracy', 'validation', VALID, true)].filter((sr) => sr.points.length);
    const loss = [series('trainLoss', 'training', TRAIN), series('validationLoss', 'validation', VALID, true)].filter((sr) => sr.points.length);
    if (curves.length > 1) panel.append(h('h3', c.member));
    panel.append(
      h('div.charts',
        lineChart({ title: 'Accuracy per epoch', series: acc, xLabel: 'epoch', yLabel: 'accuracy', yDomain: [0, 1] }),
        lineChart({ title: 'Loss per epoch', series: loss, xLabel: 'epoch', yLabel: 'loss' })),
    );
    if (!epochs.some((e) => typeof e.validationLoss === 'number')) {
      panel.append(h('p.small.muted', 'The final fit used every image for training (no validation split); the accuracy above the charts is from cross-validation.'));
    }
  }
  return panel;
}
