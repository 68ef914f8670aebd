import { apiFetch } from '../api.js';
import { probabilityBars } from '../charts/probability-bars.js';
import { classColor, clear, h } from '../dom.js';
import { notSureNote } from './not-sure-note.js';
import { whyButton } from './explain-view.js';

/** Drop (or pick) an image and see every class's probability from the selected version. */
export function predictPanel(modelId, versionNumber, classes) {
  const panel = h('section.card#predict', h('h2', 'Try it'));
  if (!versionNumber) return panel.append(h('p.muted', 'Train the model first.')), panel;
  const result = h('div.predict-result#predict-result');
  const input = h('input#predict-file', { type: 'file', accept: 'image/*', hidden: true });
  const zone = h('div.dropzone#dropzone', { tabindex: 0, role: 'button' }, h('p', 'Drop an image here or click to choose one'));
  const run = async (file) => {
    clear(result);
    const preview = h('img.preview', { alt: file.name });
    preview.src = URL.createObjectURL(file);
    preview.onload = () => URL.revokeObjectURL(preview.src);
    result.append(preview, h('p.muted', 'Predicting…'));
    const form = new FormData();
    form.append('file', file, file.name);
    try {
      const res = await apiFetch(`/v1/models/${encodeURIComponent(modelId)}/predict?version=${versionNumber}`, { method: 'POST', body: form });
      const p = (await res.json()).predictions[0];
      result.lastChild.remove();
      if (!p.ok) return void result.append(h('p.error', p.error));
      result.append(
        h('div',
          h('p.predicted', { dataset: { label: p.label } }, 'Most likely ', h('strong', p.label), ` (${(p.probability * 100).toFixed(1)}%)`),
          p.outOfDistribution ? h('p.warning', `Looks unlike every trained class (OOD score ${p.oodScore.toFixed(2)}).`) : null,
          notSureNote(p),
          probabilityBars(p.prediction, (label) => classColor(classes.indexOf(label))),
          whyButton(modelId, versionNumber, async () => file)),
      );
    } catch (err) {
      clear(result).append(h('p.error', err.message));
    }
  };
  zone.addEventListener('click', () => input.click());
  zone.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && input.click());
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer?.files?.[0];
    if (file) void run(file);
  });
  input.addEventListener('change', () => input.files?.[0] && run(input.files[0]));
  panel.append(zone, input, result);
  return panel;
}
