import { getJson } from '../api.js';
import { clear, h, pct } from '../dom.js';
import { renderProjector } from '../projector/projector-panel.js';
import { classMetricsPanel } from './class-metrics-panel.js';
import { confusionPanel } from './confusion-panel.js';
import { curvesPanel } from './curves-panel.js';
import { imagesPanel } from './images-panel.js';
import { auditPanel, suggestionsPanel } from './insights-panel.js';
import { modelHeader } from './model-header.js';
import { predictPanel } from './predict-panel.js';
import { trainPanel } from './train-panel.js';
import { trustPanel } from './trust-panel.js';
import { versionsPanel } from './versions-panel.js';

/** One model (Overview tab): training with live progress, the selected version's evaluation, projector, images, versions, predict. */
export function renderModel(root, modelId) {
  const abort = new AbortController();
  const header = h('div.model-header');
  const progress = h('div#train-slot');
  const body = h('div.model-body');
  root.append(h('a.back', { href: '#/' }, '← Models'), header, progress, body);
  const state = { selected: undefined, classes: [] };
  // The train panel's event stream lives as long as one rendering of it: a reload (a version picked) starts afresh.
  let trainAbort = new AbortController();
  abort.signal.addEventListener('abort', () => trainAbort.abort());

  const load = async () => {
    const [model, { versions }, { runs }] = await Promise.all([
      modelHeader(header, modelId, 'overview'),
      getJson(`/v1/models/${encodeURIComponent(modelId)}/versions`),
      getJson(`/v1/models/${encodeURIComponent(modelId)}/runs`),
    ]);
    // When a run ends the page reloads its data and shows what the run produced: the (new) active version.
    trainAbort.abort();
    trainAbort = new AbortController();
    progress.replaceChildren(trainPanel(model, runs, { signal: trainAbort.signal, onEnded: () => ((state.selected = undefined), void load()) }));
    const chosen = versions.find((v) => v.number === state.selected) ?? versions.find((v) => v.active) ?? versions[0];
    await renderBody(model, versions, chosen);
  };

  const renderBody = async (model, versions, version) => {
    clear(body);
    const full = version ? await getJson(`/v1/models/${encodeURIComponent(modelId)}/versions/${version.number}`) : undefined;
    state.selected = version?.number;
    const classes = full?.classes ?? model.categories.map((c) => c.name);
    const select = (n) => {
      state.selected = n;
      void load();
    };
    if (full) {
      const m = full.metrics;
      body.append(
        h('section.card.summary#summary',
          h('h2', `Version ${full.number}`, full.active ? h('span.badge.badge-ok', 'active') : null),
          h('div.stats',
            stat('Accuracy (cross-validated)', pct(m.accuracy)),
            stat('Macro F1', pct(m.macroF1)),
            stat('Calibration error (ECE)', pct(m.calibration?.ece)),
            stat('Images', m.count),
            stat('Folds', m.folds),
            stat('Training time', m.timings?.totalSeconds ? `${m.timings.totalSeconds.toFixed(1)} s` : '–'))),
        h('div.grid-2', curvesPanel(m.curves ?? []), classMetricsPanel(m.perClass ?? [])),
        trustPanel(m),
        confusionPanel(modelId, classes, m.confusionMatrix ?? [], m.misclassified ?? [], full.number),
      );
      const projector = h('section.card#projector');
      body.append(projector);
      renderProjector(projector, modelId, full.number, classes, abort.signal);
    } else {
      body.append(h('section.card', h('p.muted', 'No trained version yet: upload images and start training.')));
    }
    body.append(
      h('div.grid-2', predictPanel(modelId, version?.number, classes), versionsPanel(versions, version?.number, select)),
      // The dataset audit and "label these next" come from the active version's run, whichever version is shown.
      ...(versions.some((v) => v.active) ? [suggestionsPanel(modelId, model.categories.map((c) => c.name)), auditPanel(modelId, model.categories.map((c) => c.name))] : []),
      imagesPanel(modelId, model.categories, classes),
    );
  };

  load().catch((err) => root.append(h('p.error', err.message)));
  return () => abort.abort();
}

function stat(label, value) {
  return h('div.stat', h('div.stat-value', String(value ?? '–')), h('div.stat-label', label));
}
