import { modelPath, problemText, sendJson } from '../api.js';
import { classColor, h } from '../dom.js';
import { filesFromDrop, filesFromInput } from '../upload/folder-files.js';
import { attachDrop } from './drop-zone.js';
import { field, say } from './form-field.js';

/**
 * The model's classes with their image counts. Each row takes files (dropped on it, or picked with its button) and
 * can be renamed; a form at the end adds a class. `message` is the view's status line (it outlives a re-render).
 * (Issue #17's "unlabelled" pile is meant to join this list.)
 */
export function classesPanel(model, { onFiles, onChanged, message }) {
  const rows = model.categories.map((c, i) => classRow(model, c, i, { onFiles, onChanged, message }));
  const name = h('input#new-class-name', { required: true, maxlength: 100, autocomplete: 'off' });
  const add = h('form.add-class#add-class',
    field('New class', name),
    h('button#add-class-submit', { type: 'submit' }, 'Add class'));
  add.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await sendJson('POST', `${modelPath(model.id)}/categories`, { name: name.value });
      say(message, `Added class ${name.value.trim()}.`);
      await onChanged();
    } catch (err) {
      say(message, problemText(err), 'error');
    }
  });
  const min = model.status.match(/at least (\d+) images/)?.[1];
  return h('section.card#classes',
    h('h2', 'Classes'),
    min ? h('p.small.muted', `Each class needs at least ${min} images before training.`) : null,
    h('ul.class-list', rows),
    add,
    message);
}

function classRow(model, category, index, { onFiles, onChanged, message }) {
  const input = h('input', { type: 'file', multiple: true, accept: 'image/*', hidden: true, dataset: { filesFor: category.name }, 'aria-label': `Images for ${category.name}` });
  input.addEventListener('change', () => {
    onFiles(category.name, filesFromInput(input));
    input.value = '';
  });
  const addFiles = h('button.secondary.small-button', { type: 'button', 'aria-label': `Add images to ${category.name}`, onclick: () => input.click() }, 'Add images');
  const rename = h('button.link.small-button', { type: 'button', 'aria-label': `Rename ${category.name}`, dataset: { rename: category.name } }, 'Rename');
  const label = h('span.class-name', h('span.dot', { style: { background: classColor(index) } }), ` ${category.name}`);
  const count = h('span.class-count', { 'aria-label': `${category.count} images` }, String(category.count));
  const row = h('li.class-row', { dataset: { category: category.name, count: category.count } }, label, count, h('span.class-actions', addFiles, rename), input);

  rename.addEventListener('click', () => {
    const box = h('input', { value: category.name, required: true, maxlength: 100, 'aria-label': `New name for ${category.name}`, dataset: { renameInput: category.name } });
    const save = h('button.small-button', { type: 'submit' }, 'Save');
    const cancel = h('button.link.small-button', { type: 'button' }, 'Cancel');
    const form = h('form.rename-form', box, save, cancel);
    cancel.addEventListener('click', () => form.replaceWith(label));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await sendJson('PATCH', `${modelPath(model.id)}/categories/${encodeURIComponent(category.name)}`, { name: box.value });
        say(message, `Renamed ${category.name} to ${box.value.trim()}. Trained versions keep the old name until the next training.`);
        await onChanged();
      } catch (err) {
        say(message, problemText(err), 'error');
      }
    });
    label.replaceWith(form);
    box.focus();
    box.select();
  });
  // Files dropped on a class go to it, whatever folders they came in.
  attachDrop(row, async (dt) => onFiles(category.name, await filesFromDrop(dt)));
  return row;
}
