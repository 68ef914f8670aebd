import { problemText, sendJson } from '../api.js';
import { h } from '../dom.js';
import { architectureKind, trainingOptions } from '../training-options.js';
import { classNames, filesFromInput } from '../upload/folder-files.js';
import { holdFiles } from '../upload/pending-upload.js';
import { field, say, statusLine } from './form-field.js';
import { settingsFields } from './settings-fields.js';

const KIND_NAMES = { auto: 'Automatic', transfer: 'Transfer learning (frozen backbone)', finetune: 'Fine-tuned backbone top', cnn: 'CNN from scratch' };

/**
 * "New model": a name, the classes (typed, or read from a folder of class folders, whose images are then uploaded
 * on the model's Images tab), the architecture and the training settings, each with its default explained.
 */
export function renderNewModel(root) {
  document.title = 'New model · Tailor';
  const message = statusLine('new-model-status');
  const name = h('input#model-name', { maxlength: 200, autocomplete: 'off', placeholder: 'Fashion' });
  const categories = h('textarea#model-categories', { rows: 4, required: true, placeholder: 'Bag\nSandal\nTrouser', spellcheck: 'false' });
  const folderInput = h('input#new-model-folder', { type: 'file', multiple: true, webkitdirectory: true, hidden: true });
  const folderNote = h('p.small#new-model-folder-note', { role: 'status' });
  let folderFiles;
  folderInput.addEventListener('change', () => {
    const files = filesFromInput(folderInput);
    const names = classNames(files);
    if (names.length < 2) return say(folderNote, 'That folder has fewer than two class folders inside: choose the folder that holds one folder per class.', 'error');
    folderFiles = files.filter((f) => names.length && names.includes(f.path.split('/').at(-2)));
    categories.value = names.join('\n');
    say(folderNote, `${names.length} classes from the folder's sub-folders; their ${folderFiles.length} images will be uploaded once the model is created.`);
  });
  const pickFolder = h('button.secondary#new-model-pick-folder', { type: 'button', onclick: () => folderInput.click() }, 'Take classes from a folder…');

  const architecture = h('select#model-architecture');
  const archHint = h('p.hint#model-architecture-about');
  const settingsSlot = h('div#model-settings');
  const submit = h('button#create-model', { type: 'submit' }, 'Create model');
  const form = h('form.card.form#new-model-form', { novalidate: false },
    h('h1', 'New model'),
    field('Name', name, 'Shown in the model list; optional.'),
    field('Classes, one per line', categories, 'At least two. Each needs images before training (the service says how many).'),
    h('div.row', pickFolder, folderInput), folderNote,
    h('fieldset', h('legend', 'Architecture'), field('Architecture', architecture), archHint),
    h('fieldset', h('legend', 'Training settings'), h('p.small.muted', 'Leave a field empty to use its default; every run can change them again.'), settingsSlot),
    h('div.actions', submit, h('a.button-link', { href: '#/' }, 'Cancel')),
    message);
  root.append(h('a.back', { href: '#/' }, '← Models'), form);

  let settings;
  trainingOptions().then(
    (options) => {
      const groups = new Map();
      for (const a of options.architectures) {
        const kind = a.kind;
        if (!groups.has(kind)) groups.set(kind, h('optgroup', { label: KIND_NAMES[kind] ?? kind }));
        groups.get(kind).append(h('option', { value: a.id, dataset: { description: a.description } }, a.id));
      }
      architecture.replaceChildren(...groups.values());
      architecture.value = 'auto';
      settings = settingsFields(options);
      settingsSlot.replaceChildren(settings.element);
      const describe = () => {
        archHint.textContent = architecture.selectedOptions[0]?.dataset.description ?? '';
        settings.showFor(architectureKind(architecture.value));
      };
      architecture.addEventListener('change', describe);
      architecture.setAttribute('aria-describedby', archHint.id);
      describe();
    },
    (err) => say(message, `Could not load the training options: ${err.message}`, 'error'),
  );

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!settings?.check()) return;
    const list = categories.value.split('\n').map((c) => c.trim()).filter(Boolean);
    submit.disabled = true;
    say(message, 'Creating…');
    try {
      const model = await sendJson('POST', '/v1/models', {
        categories: list,
        ...(name.value.trim() ? { name: name.value.trim() } : {}),
        architecture: architecture.value,
        settings: settings.values(),
      });
      if (folderFiles) holdFiles(model.id, folderFiles);
      location.hash = `#/models/${encodeURIComponent(model.id)}/images`;
    } catch (err) {
      say(message, problemText(err), 'error');
      submit.disabled = false;
    }
  });
  name.focus();
}
