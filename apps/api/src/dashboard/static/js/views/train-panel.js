import { modelPath, problemText, readEvents, sendJson } from '../api.js';
import { h, pct } from '../dom.js';
import { architectureKind, trainingOptions } from '../training-options.js';
import { say, statusLine } from './form-field.js';
import { settingsFields } from './settings-fields.js';

const LIVE = ['queued', 'running'];
const TRAINABLE = [-1, 2, 5];

/**
 * Training on the model page: the Train button with the model's settings (changeable for this run), then the live
 * run from its event stream — progress, phase, candidate, ETA, queue position — with Cancel. `onEnded` reloads the
 * page: when a run starts (so the header shows it) and when it ends (its result replaces the figures).
 */
export function trainPanel(model, runs, { signal, onEnded }) {
  const panel = h('section.card.train-panel#train');
  const live = runs.find((r) => LIVE.includes(r.status));
  if (live) follow(panel, model, live, { signal, onEnded });
  else idle(panel, model, runs[0], { signal, onEnded });
  return panel;
}

function idle(panel, model, last, { onEnded }) {
  const message = statusLine('train-status');
  const button = h('button#train-button', { type: 'submit', disabled: !TRAINABLE.includes(model.state) }, model.activeVersion ? 'Train a new version' : 'Train');
  const settingsSlot = h('div', h('p.small.muted', 'Loading settings…'));
  const form = h('form.train-form#train-form',
    h('div.train-row', button, h('p.small.muted.train-why', TRAINABLE.includes(model.state) ? `Trains on the ${model.imageCount} images there are now; uploads made meanwhile wait for the next run.` : model.status)),
    h('details#train-settings', h('summary', 'Settings for this run'), h('p.small.muted', `Architecture ${model.architecture}. Empty fields use the model's setting or the default.`), settingsSlot),
    message);
  const failed = last?.status === 'failed' ? [h('p.error#last-run-error', `The last run failed: ${last.error ?? 'no reason given'}`)] : [];
  panel.replaceChildren(h('h2', 'Training'), ...failed, form);
  let settings;
  trainingOptions().then(
    (options) => {
      settings = settingsFields(options, model.settings);
      settings.showFor(architectureKind(model.architecture));
      settingsSlot.replaceChildren(settings.element);
    },
    (err) => settingsSlot.replaceChildren(h('p.error', err.message)),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (settings && !settings.check()) return;
    button.disabled = true;
    say(message, 'Starting…');
    try {
      await sendJson('POST', `${modelPath(model.id)}/train`, settings ? { settings: settings.values() } : {});
      // The page reloads: the header then says Queued/Training and this panel follows the new run.
      onEnded('started');
    } catch (err) {
      say(message, problemText(err), 'error');
      button.disabled = false;
    }
  });
}

function follow(panel, model, run, { signal, onEnded }) {
  const bar = h('progress', { max: 1, value: run.progress, 'aria-label': 'training progress' });
  const fields = {
    phase: h('dd#run-phase'),
    progress: h('dd#run-percent'),
    candidate: h('dd#run-candidate'),
    eta: h('dd#run-eta'),
    queue: h('dd#run-queue'),
    elapsed: h('dd#run-elapsed'),
  };
  const line = h('p.small#run-line', { 'aria-live': 'polite' });
  const cancel = h('button.danger#cancel-run', { type: 'button' }, 'Cancel run');
  const message = statusLine('cancel-status');
  const show = (r) => {
    bar.value = r.progress;
    fields.phase.textContent = r.status === 'queued' ? 'queued' : r.phase;
    fields.progress.textContent = pct(r.progress, 0);
    fields.candidate.textContent = r.candidate ?? '–';
    fields.eta.textContent = typeof r.etaSeconds === 'number' ? duration(r.etaSeconds) : '–';
    fields.queue.textContent = r.status === 'queued' && typeof r.queuePosition === 'number' ? (r.queuePosition === 0 ? 'next' : `${r.queuePosition} ahead`) : '–';
    fields.elapsed.textContent = typeof r.elapsedSeconds === 'number' ? duration(r.elapsedSeconds) : '–';
    line.textContent = r.status_line ?? r.message ?? '';
    panel.dataset.status = r.status;
    panel.dataset.phase = r.phase;
  };
  cancel.addEventListener('click', async () => {
    cancel.disabled = true;
    try {
      await sendJson('POST', `${modelPath(model.id)}/runs/${run.id}/cancel`);
      say(message, 'Canceled.');
    } catch (err) {
      say(message, problemText(err), 'error');
      cancel.disabled = false;
    }
  });
  // Each term with its value in one box (HTML allows div groups in a dl), so the grid never splits a pair.
  const dl = h('dl.run-facts', ['phase', 'progress', 'candidate', 'eta', 'queue', 'elapsed'].map((k) => h('div.run-fact', h('dt', LABELS[k]), fields[k])));
  panel.replaceChildren(h('h2', 'Training'), h('div.run-progress#run-progress', { dataset: { runId: run.id } }, bar, dl, line, h('div.actions', cancel), message));
  show(run);
  readEvents(
    `${modelPath(model.id)}/runs/${run.id}/events`,
    (event, data) => {
      if (event === 'progress') show(data);
      else if (event === 'end') onEnded(data.status);
    },
    signal,
  ).catch((err) => {
    if (!signal.aborted) line.textContent = `progress unavailable: ${err.message}`;
  });
}

const LABELS = { phase: 'Phase', progress: 'Progress', candidate: 'Candidate', eta: 'Time left', queue: 'Queue', elapsed: 'Elapsed' };

function duration(s) {
  const t = Math.round(s);
  return t >= 60 ? `${Math.floor(t / 60)} min ${t % 60} s` : `${t} s`;
}
