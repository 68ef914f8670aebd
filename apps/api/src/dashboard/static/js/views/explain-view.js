import { apiFetch } from '../api.js';
import { h } from '../dom.js';

/**
 * Asks the version why: POST …/predict?explain=true with the image, and shows the heat map the server overlays on it
 * (red = the regions whose covering lowered the class's probability most). `label` explains that class instead of
 * the predicted one (a confusion-matrix mistake: what in the image looks like the wrong class).
 */
export async function explainImage(modelId, versionNumber, file, label) {
  const form = new FormData();
  form.append('file', file, file.name ?? 'image');
  const q = new URLSearchParams({ version: String(versionNumber), explain: 'true' });
  if (label) q.set('explainClass', label);
  const res = await apiFetch(`/v1/models/${encodeURIComponent(modelId)}/predict?${q}`, { method: 'POST', body: form });
  return (await res.json()).predictions[0];
}

/** The heat map of a prediction, with what it explains. */
export function heatmapFigure(p) {
  const e = p.explanation;
  return h('figure.heatmap', { dataset: { label: e.label } },
    h('img.heatmap-image', { src: e.overlay, alt: `Regions that drove ${e.label}`, width: 224 }),
    h('figcaption.small', `Red: the regions that drove "${e.label}" (${(e.probability * 100).toFixed(1)}%). Each region was covered in turn; the redder, the more the class's odds fell.`));
}

/** A "Why?" button that fetches and shows the heat map under itself. */
export function whyButton(modelId, versionNumber, getFile, label) {
  const out = h('div.why');
  const button = h('button.secondary.why-button', { type: 'button' }, label ? `Why "${label}"?` : 'Why?');
  button.addEventListener('click', async () => {
    button.disabled = true;
    out.replaceChildren(h('p.muted', 'Covering each region in turn…'));
    try {
      const p = await explainImage(modelId, versionNumber, await getFile(), label);
      out.replaceChildren(p.ok ? heatmapFigure(p) : h('p.error', p.error));
    } catch (err) {
      out.replaceChildren(h('p.error', err.message));
    } finally {
      button.disabled = false;
    }
  });
  return h('div.why-box', button, out);
}
