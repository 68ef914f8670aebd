import { reliabilityDiagram } from '../charts/reliability-diagram.js';
import { h, num, pct } from '../dom.js';

/**
 * How far the version's predictions can be trusted, all measured on its training images out of fold: calibration
 * (reliability diagram before and after, ECE), the "not sure" thresholds and the OOD detector's held-out-class AUROC.
 * Versions trained before these existed have no `trust` section and get a one-line note.
 */
export function trustPanel(metrics) {
  const t = metrics.trust;
  const panel = h('section.card#trust', h('h2', 'Can I trust it?'));
  if (!t) return panel.append(h('p.muted', 'This version was trained before calibration and "not sure" thresholds existed; retrain to get them.')), panel;
  const cal = t.calibration;
  const sure = t.notSure;
  const ood = t.ood;
  panel.append(
    h('div.grid-2',
      h('div',
        reliabilityDiagram({
          title: 'Reliability (cross-validated)',
          series: [
            { name: `before, ECE ${pct(cal.before.ece)}`, color: '#c7c7c7', bins: cal.before.bins },
            { name: `after, ECE ${pct(cal.after.ece)}`, color: '#1f77b4', bins: cal.after.bins },
          ],
        }),
        h('p.small.muted', cal.method === 'temperature'
          ? `Probabilities are calibrated by temperature scaling (T = ${num(cal.temperature, 2)}; above 1 softens, below 1 sharpens). "After" scales each fold with a temperature fitted on the other folds.`
          : 'Temperature scaling did not improve these probabilities on held-out folds, so they are served as they are.')),
      h('dl.trust-facts',
        h('dt', 'Calibration error (ECE)'), h('dd#trust-ece', `${pct(cal.before.ece)} → ${pct(cal.after.ece)}`),
        h('dt', '"Not sure" below'), h('dd', `${pct(sure.targetPrecision, 0)} precision per class`),
        h('dt', 'Predictions sure'), h('dd#trust-coverage', `${pct(sure.coverage)}, right ${pct(sure.precision)} of the time; the rest right ${pct(sure.uncertainAccuracy)}`),
        h('dt', 'Unknown-object detector'), h('dd', `${ood.method} on ${ood.featureSet}`),
        h('dt', 'Held-out-class AUROC'), h('dd#trust-auroc', num(ood.heldOutClassAuroc, 3)),
        h('dd.small.muted', ood.meaning),
        h('dt', 'Per class left out'),
        h('dd', h('ul.inline-list', ood.perClass.map((p) => h('li', `${p.label} ${num(p.auroc, 2)}`)))),
        h('dt', 'Thresholds'),
        h('dd', h('ul.inline-list', sure.thresholds.map((x) => h('li', `${x.label} ${x.threshold === null ? 'never sure' : pct(x.threshold)}`))))),
    ),
  );
  return panel;
}
