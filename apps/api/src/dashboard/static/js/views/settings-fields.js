import { h } from '../dom.js';
import { field } from './form-field.js';

/**
 * The training settings a run reads (from GET /v1/training-options), each with its default and what it does. Empty
 * means "the default"; only what the user changed is sent, so a later change of a service default still applies.
 * Settings that do nothing for the chosen architecture are hidden.
 */
export function settingsFields(options, current = {}) {
  const rows = options.settings.map((s) => {
    const value = current[s.name];
    const control =
      s.type === 'choice'
        ? h('select', { name: s.name, dataset: { setting: s.name } },
            h('option', { value: '' }, `default (${s.default})`),
            s.options.map((o) => h('option', { value: o, selected: value === o }, o)))
        : h('input', { type: 'number', name: s.name, inputmode: s.type === 'number' ? 'decimal' : 'numeric', min: s.min, max: s.max, step: s.type === 'number' ? 'any' : 1, placeholder: `default ${s.default}`, value: value ?? '', dataset: { setting: s.name } });
    const range = s.type === 'choice' ? '' : ` (${s.min}–${s.max})`;
    const row = field(label(s.name), control, `${capitalise(s.description)}. Default ${s.default}${range}.`);
    return { s, control, row };
  });
  const element = h('div.settings-fields', rows.map((r) => r.row));
  return {
    element,
    /** Shows the settings that change anything for this kind of architecture (auto, transfer, finetune, cnn). */
    showFor(kind) {
      for (const r of rows) r.row.hidden = !r.s.appliesTo.includes(kind);
    },
    /** The visible settings the user filled in, as the API takes them. */
    values() {
      const out = {};
      for (const r of rows) {
        if (r.row.hidden || r.control.value === '') continue;
        out[r.s.name] = r.s.type === 'choice' ? r.control.value : Number(r.control.value);
      }
      return out;
    },
    /** The browser's own range check, with the field's message (returns false and shows it when invalid). */
    check() {
      return rows.every((r) => r.row.hidden || r.control.reportValidity());
    },
  };
}

const LABELS = {
  timeBudgetSeconds: 'Time budget (seconds)',
  folds: 'Cross-validation folds',
  maxEnsemble: 'Largest ensemble',
  ensemble: 'Ensemble rule',
  targetPrecision: 'Target precision (not sure below it)',
  epochs: 'CNN epochs',
};
const label = (name) => LABELS[name] ?? name;
const capitalise = (t) => t.charAt(0).toUpperCase() + t.slice(1);
