import { h } from '../dom.js';

/**
 * The model page's tabs, one view each. New views join here: model export (a download and in-browser predict page)
 * and the labelling and audit views of unlabelled uploads (issue #17) are planned as tabs of their own, built from
 * the same pieces (cards, class list, upload list, thumbnails).
 */
export const MODEL_TABS = [
  { id: 'overview', path: '', label: 'Overview' },
  { id: 'images', path: '/images', label: 'Images & classes' },
  { id: 'compare', path: '/compare', label: 'Compare versions' },
  { id: 'export', path: '/export', label: 'Export' },
];

export function modelTabs(modelId, active) {
  const base = `#/models/${encodeURIComponent(modelId)}`;
  return h('nav.tabs#model-tabs', { 'aria-label': 'Model views' },
    MODEL_TABS.map((t) => h('a.tab', { href: base + t.path, 'aria-current': t.id === active ? 'page' : null, dataset: { tab: t.id } }, t.label)));
}
