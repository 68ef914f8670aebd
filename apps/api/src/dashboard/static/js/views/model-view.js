import { getJson, readEvents } from '../api.js';
import { clear, h, pct } from '../dom.js';
import { renderProjector } from '../projector/projector-panel.js';
import { classMetricsPanel } from './class-metrics-panel.js';
import { confusionPanel } from './confusion-panel.js';
import { curvesPanel } from './curves-panel.js';
import { imagesPanel } from './images-panel.js';
import { predictPanel } from './predict-panel.js';
import { stateBadge } from './state-badge.js';
import { versionsPanel } from './versions-panel.js';

const ACTIVE_RUN = ['queued', 'running'];

/** One model: live training progress, the selected version's evaluation, projector, images, versions, predict. */
export function renderModel(root, modelId) {
  const abort = new AbortController();
  const header = h('div.model-header');
  const progress = h('div.run-progress#run-progress');
  const body = h('div.model-body');
  root.append(h('a.back', { href: '#/' }, '← Models'), header, progress, body);
  const state = { selected: undefined, classes: [] };

  const load = async () => {
    const [model, { versions }, { runs }] = await Promise.all([
      getJson(`/v1/models/${encodeURIComponent(modelId)}`),
      getJson(`/v1/models/${encodeURIComponent(modelId)}/versions`),
      getJson(`/v1/models/${encodeURIComponent(modelId)}/runs`),
    ]);
    document.title = `${model.name || 'Model'} · Tailor`;
    clear(header).append(
      h('h1', model.name || model.id, ' ', stateBadge(model.state)),
      h('p.muted#model-status', model.status),
      h('p.small.muted', `id ${model.id} · architecture ${model.architecture}`),
    );
    const live = runs.find((r) => ACTIVE_RUN.includes(r.status));
    if (live) void follow(live);
    else clear(progress);
    const chosen = versions.find((v) => v.number === state.selected) ?? versions.find((v) => v.active) ?? versions[0];
    await renderBody(model, versions, chosen);
  };

  /** Live progress from the run's event stream; when the run ends the page reloads its data (a new version). */
  const follow = async (run) => {
    const bar = h('progress', { max: 1, value: run.progress });
    const line = h('span', run.status);
    clear(progress).append(h('div.card', h('strong', 'Training'), ' ', line, bar));
    try {
      await readEvents(
        `/v1/models/${encodeURIComponent(modelId)}/runs/${run.id}/events`,
        (event, data) => {
          if (event === 'progress') {
            bar.value = data.progress;
            line.textContent = `${data.status_line ?? data.phase} (${pct(data.progress, 0)})`;
          } else if (event === 'end') {
            // Show what the run produced: the (new) active version, not the one that was selected before.
            state.selected = undefined;
            void load();
          }
        },
        abort.signal,
      );
    } catch (err) {
      if (!abort.signal.aborted) line.textContent = `progress unavailable: ${err.message}`;
    }
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
        confusionPanel(modelId, classes, m.confusionMatrix ?? [], m.misclassified ?? []),
      );
      const projector = h('section.card#projector');
      body.append(projector);
      renderProjector(projector, modelId, full.number, classes, abort.signal);
    } else {
      body.append(h('section.card', h('p.muted', 'No trained version yet: upload images and start training.')));
    }
    body.append(
      h('div.grid-2', predictPanel(modelId, version?.number, classes), versionsPanel(versions, version?.number, select)),
      imagesPanel(modelId, model.categories, classes),
    );
  };

  load().catch((err) => root.append(h('p.error', err.message)));
  return () => abort.abort();
}

function stat(label, value) {
  return h('div.stat', h('div.stat-value', String(value ?? '–')), h('div.stat-label', label));
}
