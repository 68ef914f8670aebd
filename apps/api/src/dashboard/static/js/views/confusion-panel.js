import { confusionMatrix } from '../charts/confusion-matrix.js';
import { clear, h } from '../dom.js';
import { thumbnail } from './thumbnail.js';
import { mistakeExplainer } from './mistake-explainer.js';

/** The confusion matrix; clicking a cell lists the images in it (the mistakes carry image ids). */
export function confusionPanel(modelId, classes, matrix, misclassified, versionNumber) {
  const detail = h('div.cell-detail#cell-detail', h('p.muted', 'Click a cell to see its images.'));
  const onCell = (actual, predicted, count) => {
    clear(detail);
    detail.dataset.actual = actual;
    detail.dataset.predicted = predicted;
    const cell = misclassified.find((c) => c.actual === actual && c.predicted === predicted);
    if (actual === predicted) {
      detail.append(h('h3', `${actual} predicted correctly: ${count}`), h('p.muted', 'Correct predictions are not listed one by one; click a red cell to see the mistakes.'));
    } else if (!cell || !cell.imageIds.length) {
      detail.append(h('h3', `Actual ${actual}, predicted ${predicted}`), h('p.muted', 'No images in this cell.'));
    } else {
      detail.append(
        h('h3', `Actual ${actual}, predicted ${predicted}: ${cell.imageIds.length} image${cell.imageIds.length === 1 ? '' : 's'}`),
        h('div.thumbs#misclassified', cell.imageIds.map((id) => thumbnail(modelId, id, `actual ${actual}, predicted ${predicted}`))),
        versionNumber ? mistakeExplainer(modelId, versionNumber, cell.imageIds, predicted) : null,
      );
    }
  };
  const panel = h('section.card#confusion', h('h2', 'Confusion matrix'), h('p.small.muted', 'Rows: actual class; columns: predicted class (cross-validation predictions on the training images).'));
  panel.append(h('div.confusion-layout', matrix.length ? confusionMatrix({ classes, matrix, onCell }) : h('p.muted', 'No confusion matrix.'), detail));
  return panel;
}
