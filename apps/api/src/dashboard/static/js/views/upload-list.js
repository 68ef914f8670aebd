import { h } from '../dom.js';

const DONE = ['skipped', 'stored', 'duplicate', 'rejected', 'failed'];
const LABEL = {
  queued: 'waiting',
  hashing: 'checking',
  uploading: 'uploading…',
  skipped: 'skipped',
  stored: 'stored',
  duplicate: 'duplicate',
  rejected: 'rejected',
  failed: 'failed',
};

/**
 * One row per file with its verdict (stored / duplicate / rejected and why / skipped because already uploaded), and a
 * bar with the counts over all of them. Problems are listed first when the batch ends, so they are not lost among
 * hundreds of "stored". The same list serves files, folders and URLs.
 */
export function uploadList(id = 'upload-list') {
  const bar = h('progress', { max: 1, value: 0, 'aria-label': 'upload progress' });
  const summary = h('p.upload-summary', { role: 'status', 'aria-live': 'polite' });
  const rows = h('ul.upload-rows');
  const element = h(`section.card.upload-list#${id}`, { hidden: true }, h('h2', 'Uploads'), bar, summary, rows);
  const items = new Map();

  const count = () => {
    const c = { total: items.size, done: 0 };
    for (const { item } of items.values()) {
      c[item.status] = (c[item.status] ?? 0) + 1;
      if (DONE.includes(item.status)) c.done++;
    }
    return c;
  };
  const refresh = () => {
    const c = count();
    bar.value = c.total ? c.done / c.total : 0;
    summary.textContent =
      `${c.done} of ${c.total} files done: ${c.stored ?? 0} stored, ${c.skipped ?? 0} skipped (already uploaded), ` +
      `${c.duplicate ?? 0} duplicates, ${c.rejected ?? 0} rejected${c.failed ? `, ${c.failed} failed` : ''}`;
    Object.assign(element.dataset, { total: c.total, done: c.done, stored: c.stored ?? 0, skipped: c.skipped ?? 0, duplicate: c.duplicate ?? 0, rejected: c.rejected ?? 0, failed: c.failed ?? 0 });
  };

  return {
    element,
    /** A new batch replaces the list. */
    reset() {
      items.clear();
      rows.replaceChildren();
      element.hidden = false;
      delete element.dataset.finished;
      refresh();
    },
    update(item) {
      let entry = items.get(item);
      if (!entry) {
        const status = h('span.verdict');
        const message = h('span.verdict-message');
        const row = h('li.upload-row', h('span.upload-path', { title: item.path }, item.category ? `${item.category} · ${item.path.split('/').pop()}` : item.path), status, message);
        rows.append(row);
        entry = { item, row, status, message };
        items.set(item, entry);
      }
      entry.row.dataset.status = item.status;
      entry.row.dataset.path = item.path;
      entry.status.textContent = LABEL[item.status] ?? item.status;
      entry.status.className = `verdict verdict-${item.status}`;
      entry.message.textContent = item.message ?? '';
      refresh();
    },
    /** Rejected and failed rows first, then the rest in their order. */
    finish() {
      const bad = [...items.values()].filter((e) => e.item.status === 'rejected' || e.item.status === 'failed');
      rows.prepend(...bad.map((e) => e.row));
      refresh();
      element.dataset.finished = 'true';
    },
  };
}
