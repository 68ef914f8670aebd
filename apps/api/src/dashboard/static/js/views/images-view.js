import { getJson, modelPath, sendJson } from '../api.js';
import { h } from '../dom.js';
import { classNames, classOf, filesFromDrop, filesFromInput } from '../upload/folder-files.js';
import { takeFiles } from '../upload/pending-upload.js';
import { uploadFiles, uploadUrls } from '../upload/upload-queue.js';
import { classesPanel } from './classes-panel.js';
import { dropZone } from './drop-zone.js';
import { field, statusLine } from './form-field.js';
import { imagesPanel } from './images-panel.js';
import { modelHeader } from './model-header.js';
import { uploadList } from './upload-list.js';

/**
 * The "Images & classes" tab: the model's classes (add, rename, drop files onto one), a folder of class folders
 * dropped or picked at once, image URLs pasted into a class, every file's verdict, then the images per class.
 */
export function renderImagesView(root, modelId) {
  const abort = new AbortController();
  const header = h('div.model-header');
  const classesMessage = statusLine('classes-status');
  const classesSlot = h('div');
  const notice = h('div#folder-notice');
  const uploads = uploadList();
  const gallery = h('div');
  let model;
  let busy = false;

  const refresh = async () => {
    model = await modelHeader(header, modelId, 'images');
    classesSlot.replaceChildren(classesPanel(model, { onFiles: (category, files) => void upload(files.map((f) => ({ ...f, category }))), onChanged: refresh, message: classesMessage }));
    urlClass.replaceChildren(...model.categories.map((c) => h('option', { value: c.name }, c.name)));
    const classes = (await getJson(`${modelPath(modelId)}/versions`)).versions.find((v) => v.active)?.classes ?? model.categories.map((c) => c.name);
    gallery.replaceChildren(imagesPanel(modelId, model.categories, classes));
  };

  /** One batch at a time: a second drop while one runs waits its turn instead of racing the skip check. */
  const upload = async (items) => {
    if (!items.length) return;
    while (busy) await new Promise((r) => setTimeout(r, 200));
    busy = true;
    uploads.reset();
    try {
      await uploadFiles(modelId, items, { onUpdate: uploads.update, signal: abort.signal });
    } finally {
      busy = false;
      uploads.finish();
    }
    if (!abort.signal.aborted) await refresh();
  };

  /** A folder of class folders: files in classes the model lacks are held back until the user says what to do. */
  const uploadFolder = (files) => {
    notice.replaceChildren();
    const known = new Set(model.categories.map((c) => c.name));
    const loose = files.filter((f) => !classOf(f.path));
    const unknown = classNames(files).filter((c) => !known.has(c));
    const ready = files.filter((f) => known.has(classOf(f.path))).map((f) => ({ ...f, category: classOf(f.path) }));
    if (loose.length) {
      notice.append(h('p.warning', `${loose.length} file${loose.length === 1 ? ' is' : 's are'} not inside a class folder and ${loose.length === 1 ? 'was' : 'were'} left out: drop ${loose.length === 1 ? 'it' : 'them'} onto a class below.`));
    }
    if (!unknown.length) return void upload(ready);
    const held = files.filter((f) => unknown.includes(classOf(f.path))).map((f) => ({ ...f, category: classOf(f.path) }));
    const addAll = h('button#add-folder-classes', { type: 'button' }, `Add ${unknown.length === 1 ? 'this class' : 'these classes'} and upload everything`);
    const skip = h('button.secondary#skip-folder-classes', { type: 'button' }, 'Upload only the known classes');
    addAll.addEventListener('click', async () => {
      addAll.disabled = skip.disabled = true;
      try {
        for (const name of unknown) await sendJson('POST', `${modelPath(modelId)}/categories`, { name });
        notice.replaceChildren();
        await refresh();
        await upload([...ready, ...held]);
      } catch (err) {
        notice.append(h('p.error', err.message));
      }
    });
    skip.addEventListener('click', () => {
      notice.replaceChildren();
      void upload(ready);
    });
    notice.append(
      h('div.callout#unknown-classes', { role: 'alert' },
        h('p', `The folder has ${unknown.length === 1 ? 'a class' : 'classes'} this model does not: `, h('strong', unknown.join(', ')), ` (${held.length} files).`),
        h('div.actions', addAll, skip)),
    );
  };

  const folderInput = h('input#folder-input', { type: 'file', multiple: true, webkitdirectory: true, hidden: true });
  folderInput.addEventListener('change', () => {
    uploadFolder(filesFromInput(folderInput));
    folderInput.value = '';
  });
  const folderZone = dropZone({
    id: 'folder-drop',
    label: 'Drop a folder of class folders here (train/Bag/…, train/Sandal/…), or the class folders themselves — or press to choose a folder',
    onActivate: () => folderInput.click(),
    onDrop: async (dt) => uploadFolder(await filesFromDrop(dt)),
  });

  const urlClass = h('select#url-class');
  const urlText = h('textarea#url-list', { rows: 3, placeholder: 'https://example.com/bag-1.jpg\nhttps://example.com/bag-2.jpg', spellcheck: 'false' });
  const urlForm = h('form.url-form#url-form',
    field('Image URLs, one per line', urlText, 'The server fetches each one (public addresses only) and checks it like an uploaded file.'),
    h('div.row', field('Into class', urlClass), h('button#url-submit', { type: 'submit' }, 'Fetch images')));
  urlForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const urls = urlText.value.split(/\s+/).map((u) => u.trim()).filter(Boolean);
    if (!urls.length) return;
    while (busy) await new Promise((r) => setTimeout(r, 200));
    busy = true;
    uploads.reset();
    try {
      await uploadUrls(modelId, urlClass.value, urls, { onUpdate: uploads.update });
      urlText.value = '';
    } finally {
      busy = false;
      uploads.finish();
    }
    await refresh();
  });

  root.append(
    h('a.back', { href: '#/' }, '← Models'),
    header,
    h('div.workbench-grid',
      classesSlot,
      h('section.card#add-images', h('h2', 'Add images'),
        h('p.small.muted', 'Files the model already has are recognised by their content and skipped, so dropping the same folder again only sends what is new.'),
        folderZone, folderInput, notice, h('h3', 'From the web'), urlForm)),
    uploads.element,
    gallery,
  );
  const fromNewModel = takeFiles(modelId);
  refresh()
    .then(() => fromNewModel && uploadFolder(fromNewModel))
    .catch((err) => root.append(h('p.error', err.message)));
  return () => abort.abort();
}
