import { apiFetch, getJson } from '../api.js';
import { probabilityBars } from '../charts/probability-bars.js';
import { classColor, clear, h } from '../dom.js';
import { openBrowserBundle } from '../export/browser-bundle.js';
import { modelHeader } from './model-header.js';

/** Saves a response as a file (the API needs the Authorization header, so a plain link cannot download it). */
async function download(button, path, filename) {
  const old = button.textContent;
  button.disabled = true;
  button.textContent = 'Preparing…';
  try {
    const blob = await (await apiFetch(path)).blob();
    const a = h('a', { href: URL.createObjectURL(blob), download: filename });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  } finally {
    button.disabled = false;
    button.textContent = old;
  }
}

/**
 * The model's Export tab: a version as a bundle (ONNX for `tailor run` and onnxruntime, TF.js for browsers and Node),
 * the dataset as a zip, and the TF.js bundle loaded into this page to predict without the server.
 */
export function renderExport(root, modelId) {
  const header = h('div.model-header');
  const body = h('div.model-body');
  root.append(h('a.back', { href: '#/' }, '← Models'), header, body);
  let bundle;
  const enc = encodeURIComponent(modelId);

  const load = async () => {
    const [model, { versions }] = await Promise.all([modelHeader(header, modelId, 'export'), getJson(`/v1/models/${enc}/versions`)]);
    const dataset = h('button#export-dataset', { type: 'button' }, `Dataset (${model.imageCount} images, .zip)`);
    dataset.addEventListener('click', () => void download(dataset, `/v1/models/${enc}/dataset.zip`, `tailor-${modelId}-dataset.zip`).catch(showError));
    const error = h('p.error#export-error', { hidden: true });
    const showError = (err) => {
      error.hidden = false;
      error.textContent = err.message;
    };
    if (!versions.length) {
      body.replaceChildren(h('section.card', h('h2', 'Export'), h('p.muted', 'Train the model first: a trained version can be downloaded as ONNX or TF.js.'), h('div.actions', dataset), error));
      return;
    }
    const active = versions.find((v) => v.active) ?? versions[0];
    const select = h('select#export-version', versions.map((v) => h('option', { value: v.number, selected: v === active }, `Version ${v.number}${v.active ? ' (active)' : ''}`)));
    const hash = h('p.small.muted#export-dataset-hash');
    const showHash = () => {
      const v = versions.find((x) => String(x.number) === select.value);
      hash.textContent = v?.datasetSha256 ? `Trained on the dataset with manifest sha256 ${v.datasetSha256}` : 'This version predates dataset hashes.';
    };
    showHash();
    const onnx = h('button#export-onnx', { type: 'button' }, 'ONNX bundle (.zip)');
    const tfjs = h('button#export-tfjs', { type: 'button' }, 'TF.js bundle (.zip)');
    for (const [button, format] of [[onnx, 'onnx'], [tfjs, 'tfjs']]) {
      button.addEventListener('click', () =>
        void download(button, `/v1/models/${enc}/versions/${select.value}/export?format=${format}`, `tailor-${modelId}-v${select.value}-${format}.zip`).catch(showError));
    }
    select.addEventListener('change', () => {
      showHash();
      bundle?.dispose();
      bundle = undefined;
      renderBrowser();
    });

    const browser = h('section.card#browser-predict');
    const renderBrowser = () => {
      const status = h('p.muted#browser-status', 'The TF.js bundle of the selected version runs here: images are classified by this page, not sent to the server.');
      const loadButton = h('button#browser-load', { type: 'button' }, 'Load the model in this browser');
      const input = h('input#browser-predict-file', { type: 'file', accept: 'image/*', hidden: true });
      const result = h('div.predict-result#browser-result');
      loadButton.addEventListener('click', async () => {
        loadButton.disabled = true;
        status.textContent = 'Downloading and loading the TF.js bundle…';
        try {
          bundle = await openBrowserBundle(modelId, select.value);
          status.textContent = `Loaded version ${select.value} (${(bundle.bytes / 1e6).toFixed(1)} MB of weights, TF.js ${bundle.backend} backend). Choose an image.`;
          status.dataset.ready = 'true';
          input.hidden = false;
          loadButton.hidden = true;
        } catch (err) {
          loadButton.disabled = false;
          status.textContent = '';
          showError(err);
        }
      });
      input.addEventListener('change', async () => {
        const file = input.files?.[0];
        if (!file || !bundle) return;
        clear(result).append(h('p.muted', 'Predicting in the browser…'));
        try {
          const started = performance.now();
          const p = await bundle.predict(file);
          const ms = performance.now() - started;
          const preview = h('img.preview', { alt: file.name });
          preview.src = URL.createObjectURL(file);
          preview.onload = () => URL.revokeObjectURL(preview.src);
          // The same layout as the Overview's predict box: the image, then what this page computed for it.
          clear(result).append(
            preview,
            h('div',
              h('p.predicted', { dataset: { label: p.label, probability: p.probability, oodScore: p.oodScore, uncertain: p.uncertain } }, 'Most likely ', h('strong', p.label), ` (${(p.probability * 100).toFixed(1)}%), computed in this browser in ${ms.toFixed(0)} ms`),
              p.outOfDistribution
                ? h('p.warning', `Looks unlike every trained class (OOD score ${p.oodScore.toFixed(2)}).`)
                : p.uncertain
                  ? h('p.warning', 'Not sure: below the confidence this class needs for the model\'s target precision.')
                  : null,
              probabilityBars(p.prediction, (label) => classColor(bundle.labels.indexOf(label)))),
          );
        } catch (err) {
          clear(result).append(h('p.error', err.message));
        }
      });
      browser.replaceChildren(h('h2', 'Predict in this browser'), status, h('div.actions', loadButton, input), result);
    };
    renderBrowser();

    body.replaceChildren(
      h('section.card#export-downloads',
        h('h2', 'Take it anywhere'),
        h('p', 'A version as one self-contained bundle: the whole classifier as one graph, labels.json, preprocessing.json and a model card (README.md).'),
        h('div.actions', h('label', 'Version ', select), onnx, tfjs, dataset),
        hash,
        h('p.small', 'Offline, no server: ', h('code', 'tailor run bundle.zip photo.jpg --json'), ' gives the same predictions as the API.'),
        error),
      browser,
    );
  };

  load().catch((err) => root.append(h('p.error', err.message)));
  return () => bundle?.dispose();
}
