import { h } from '../dom.js';

/** Every class with its probability as a horizontal bar, most likely first. */
export function probabilityBars(prediction, colorOf) {
  return h(
    'div.prob-bars',
    prediction.map((p) =>
      h(
        'div.prob-row',
        { dataset: { label: p.label, probability: p.probability } },
        h('span.prob-label', p.label),
        h('span.prob-track', h('span.prob-fill', { style: { width: `${(p.probability * 100).toFixed(1)}%`, background: colorOf(p.label) } })),
        h('span.prob-value', `${(p.probability * 100).toFixed(1)}%`),
      ),
    ),
  );
}
