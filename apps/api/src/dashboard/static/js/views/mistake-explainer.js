import { apiFetch } from '../api.js';
import { h } from '../dom.js';
import { explainImage, heatmapFigure } from './explain-view.js';

/**
 * For a confusion-matrix cell: pick one of its images and see what in it looks like the wrong class. The heat map is
 * the version's final model explaining `predicted` (the cross-validated mistake came from a fold model that did not
 * see the image; the final model may now get it right, which the caption says).
 */
export function mistakeExplainer(modelId, versionNumber, imageIds, predicted) {
  const out = h('div.mistake-heatmap#mistake-heatmap');
  const select = h('select#mistake-image', { 'aria-label': 'Image to explain' }, imageIds.map((id, i) => h('option', { value: id }, `image ${i + 1}`)));
  const button = h('button.secondary#mistake-why', { type: 'button' }, `Why "${predicted}"?`);
  button.addEventListener('click', async () => {
    button.disabled = true;
    out.replaceChildren(h('p.muted', 'Covering each region in turn…'));
    try {
      const id = select.value;
      const blob = await (await apiFetch(`/v1/models/${encodeURIComponent(modelId)}/images/${encodeURIComponent(id)}`)).blob();
      const p = await explainImage(modelId, versionNumber, new File([blob], id), predicted);
      if (!p.ok) return void out.replaceChildren(h('p.error', p.error));
      out.replaceChildren(
        heatmapFigure(p),
        h('p.small.muted', `The final model now says "${p.label}" (${(p.probability * 100).toFixed(1)}%)${p.uncertain ? ', not sure' : ''}.`),
      );
    } catch (err) {
      out.replaceChildren(h('p.error', err.message));
    } finally {
      button.disabled = false;
    }
  });
  return h('div.mistake-explainer', h('div.row', select, button), out);
}
