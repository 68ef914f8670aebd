import { h } from '../dom.js';

let counter = 0;
const nextId = (prefix) => `${prefix}-${++counter}`;

/**
 * A labelled control with an optional hint, the one shape every form here uses: the label names the control, the
 * hint is tied to it by aria-describedby, so screen readers read both.
 */
export function field(label, control, hint) {
  control.id ||= nextId('field');
  const hintEl = hint ? h('p.hint', { id: `${control.id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div.field', h('label', { for: control.id }, label), control, hintEl);
}

/** A group of checkboxes under one legend; `checked` lists the values ticked at first. */
export function checkboxGroup(legend, name, values, checked = []) {
  const boxes = values.map((v) => h('input', { type: 'checkbox', name, value: v, id: nextId(name), checked: checked.includes(v) }));
  const set = h('fieldset.checkboxes', h('legend', legend), boxes.map((b) => h('label.check', b, ` ${b.value}`)));
  return { element: set, values: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

/** A message area announced politely to screen readers (results of an action: saved, created, failed). */
export function statusLine(id) {
  return h('p.status-line', { id, role: 'status', 'aria-live': 'polite' });
}

export function say(el, text, kind = 'ok') {
  el.textContent = text;
  el.dataset.kind = kind;
}
