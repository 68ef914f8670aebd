import { getJson, modelPath, problemText, sendJson } from '../api.js';
import { confusionMatrix } from '../charts/confusion-matrix.js';
import { h, num, pct } from '../dom.js';
import { say, statusLine, field } from './form-field.js';
import { modelHeader } from './model-header.js';
import { thumbnail } from './thumbnail.js';

/**
 * Two versions side by side: headline figures, per-class figures, both confusion matrices, the images whose
 * prediction changed between them, and a button to make either one active (roll back or forward).
 * `#/models/:id/compare?from=1&to=2`; without numbers, the active version against the one before it.
 */
export function renderCompare(root, modelId, query) {
  const header = h('div.model-header');
  const body = h('div#compare-body');
  const message = statusLine('compare-status');
  root.append(h('a.back', { href: '#/' }, '← Models'), header, message, body);

  const render = async () => {
    const [model, { versions }] = await Promise.all([modelHeader(header, modelId, 'compare'), getJson(`${modelPath(modelId)}/versions`)]);
    if (versions.length < 2) {
      body.replaceChildren(h('section.card', h('p.muted', `This model has ${versions.length} version${versions.length === 1 ? '' : 's'}; train it again to compare two.`)));
      return;
    }
    const active = versions.find((v) => v.active) ?? versions[0];
    const pick = (n) => versions.find((v) => String(v.number) === n);
    const to = pick(query.get('to')) ?? active;
    const from = pick(query.get('from')) ?? versions.find((v) => v.number < to.number) ?? versions.find((v) => v !== to);
    const select = (id, chosen) => h(`select#${id}`, versions.map((v) => h('option', { value: v.number, selected: v === chosen }, `Version ${v.number}${v.active ? ' (active)' : ''}`)));
    const fromSel = select('compare-from', from);
    const toSel = select('compare-to', to);
    const go = () => (location.hash = `#/models/${encodeURIComponent(modelId)}/compare?from=${fromSel.value}&to=${toSel.value}`);
    fromSel.addEventListener('change', go);
    toSel.addEventListener('change', go);

    const [a, b, changes] = await Promise.all([
      getJson(`${modelPath(modelId)}/versions/${from.number}`),
      getJson(`${modelPath(modelId)}/versions/${to.number}`),
      getJson(`${modelPath(modelId)}/versions/${from.number}/compare/${to.number}`),
    ]);
    body.replaceChildren(
      h('section.card.compare-pick', h('div.row', field('Compare', fromSel), field('with', toSel))),
      h('div.compare-columns', [a, b].map((v) => versionColumn(model, v, active, async () => {
        try {
          await sendJson('POST', `${modelPath(modelId)}/versions/${v.number}/activate`);
          say(message, `Version ${v.number} is now active: predictions use it.`);
          await render();
        } catch (err) {
          say(message, problemText(err), 'error');
        }
      }))),
      perClassTable(a, b),
      changedImages(modelId, a, b, changes),
    );
  };
  render().catch((err) => root.append(h('p.error', err.message)));
}

function versionColumn(model, v, active, activate) {
  const m = v.metrics;
  const isActive = v.number === active.number;
  const button = h('button', { type: 'button', disabled: isActive, dataset: { activate: v.number } }, isActive ? 'Active' : v.number < active.number ? `Roll back to version ${v.number}` : `Activate version ${v.number}`);
  button.addEventListener('click', () => {
    button.disabled = true;
    void activate();
  });
  return h('section.card.compare-column', { dataset: { version: v.number } },
    h('h2', `Version ${v.number}`, v.active ? h('span.badge.badge-ok', 'active') : null),
    h('dl.compare-facts',
      h('dt', 'Accuracy (cross-validated)'), h('dd.compare-accuracy', pct(m.accuracy)),
      h('dt', 'Macro F1'), h('dd', pct(m.macroF1)),
      h('dt', 'Calibration error (ECE)'), h('dd', pct(m.calibration?.ece)),
      h('dt', 'Images'), h('dd', m.count ?? '–'),
      h('dt', 'Architecture'), h('dd', v.architecture),
      h('dt', 'Trained'), h('dd', new Date(v.createdAt).toLocaleString())),
    h('div.actions', button),
    h('h3', 'Confusion matrix'),
    m.confusionMatrix?.length ? confusionMatrix({ classes: v.classes, matrix: m.confusionMatrix, onCell: () => {} }) : h('p.muted', 'No confusion matrix.'),
    model.categories.some((c) => !v.classes.includes(c.name)) ? h('p.small.muted', `Trained on ${v.classes.join(', ')}.`) : null);
}

/** Precision, recall and F1 per class in both versions, with the change in F1 (classes of either version). */
function perClassTable(a, b) {
  const labels = [...new Set([...a.classes, ...b.classes])];
  const of = (v, l) => (v.metrics.perClass ?? []).find((c) => c.label === l);
  const delta = (x, y) => (x && y ? `${y.f1 >= x.f1 ? '+' : ''}${num((y.f1 - x.f1) * 100, 1)}` : '–');
  return h('section.card#compare-per-class', h('h2', 'Per class'),
    h('div.table-wrap', h('table.metrics-table',
      h('thead',
        h('tr', h('th', { rowspan: 2 }, 'class'), h('th', { colspan: 3 }, `version ${a.number}`), h('th', { colspan: 3 }, `version ${b.number}`), h('th', { rowspan: 2 }, 'F1 change (points)')),
        h('tr', ['precision', 'recall', 'F1', 'precision', 'recall', 'F1'].map((t) => h('th', t)))),
      h('tbody', labels.map((l) => {
        const [x, y] = [of(a, l), of(b, l)];
        return h('tr', { dataset: { label: l } }, h('td', l), h('td', pct(x?.precision)), h('td', pct(x?.recall)), h('td', pct(x?.f1)), h('td', pct(y?.precision)), h('td', pct(y?.recall)), h('td', pct(y?.f1)), h('td', delta(x, y)));
      })))));
}

function changedImages(modelId, a, b, changes) {
  const section = h('section.card#changed-images', { dataset: { fixed: changes.fixed, broken: changes.broken, changed: changes.changed.length } },
    h('h2', 'Images whose prediction changed'),
    h('p.small.muted', `Each image as predicted during cross-validation by a model that did not train on it, in version ${a.number} and in version ${b.number}. ${changes.compared} images were evaluated by both.`),
    h('p#changed-summary', `${changes.fixed} now right, ${changes.broken} now wrong, ${changes.changed.length - changes.fixed - changes.broken} wrong in a different way.`));
  if (!changes.changed.length) return section.append(h('p.muted', 'No prediction changed.')), section;
  const TITLES = { broken: 'Now wrong', fixed: 'Now right', 'different-mistake': 'A different mistake' };
  for (const kind of ['broken', 'fixed', 'different-mistake']) {
    const list = changes.changed.filter((c) => c.change === kind);
    if (!list.length) continue;
    section.append(h('h3', `${TITLES[kind]} (${list.length})`),
      h('ul.changed-list', { dataset: { kind } }, list.map((c) => h('li.changed-item', { dataset: { imageId: c.imageId } },
        thumbnail(modelId, c.imageId, `${c.category}: version ${a.number} said ${c.from.predicted}, version ${b.number} says ${c.to.predicted}`),
        h('span.small', h('strong', c.category), h('br'), `v${a.number}: `, mark(c.from), h('br'), `v${b.number}: `, mark(c.to))))));
  }
  return section;
}

const mark = (p) => h(`span.${p.correct ? 'right' : 'wrong'}`, `${p.predicted} ${p.correct ? '✓' : '✗'}`);
