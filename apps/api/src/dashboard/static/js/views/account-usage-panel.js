import { h } from '../dom.js';

const MB = 1024 * 1024;
const bytes = (n) => (n >= 1024 * MB ? `${(n / 1024 / MB).toFixed(1)} GB` : `${(n / MB).toFixed(1)} MB`);
const count = (n) => String(n);
const minutes = (n) => `${n} min`;

/** The quotas in the order a user meets them, each with how its amounts read. */
const ROWS = [
  ['models', 'Models', count],
  ['images', 'Images', count],
  ['storedBytes', 'Stored images', bytes],
  ['trainingMinutesToday', 'Training today', minutes],
  ['activeRuns', 'Runs queued or running', count],
  ['keys', 'API keys', count],
  ['webhooks', 'Webhooks', count],
];

/**
 * What the account uses of each quota (GET /v1/account: `quotas`, `rateLimit`): a labelled meter per quota, the
 * training minutes' reset time, and the per-key request limit. A full quota is what the API answers 402 for.
 */
export function usagePanel(account) {
  const q = account.quotas;
  if (!q) return null;
  const rows = ROWS.map(([key, label, fmt]) => {
    const { used, limit } = q[key];
    const id = `quota-${key}`;
    const full = limit !== null && used >= limit;
    // Rows share the list's grid columns (label, meter, amount); styled here, so no shared stylesheet changes. The
    // columns may shrink (labels wrap) so the card fits a phone-width screen.
    const row = { dataset: { quota: key }, style: { display: 'contents' } };
    if (limit === null) return h('div.quota', row, h('span', label), h('span'), h('span.muted', `${fmt(used)} (no limit)`));
    return h('div.quota', row,
      h('label', { for: id }, label),
      h('meter', { id, min: 0, max: limit, value: Math.min(used, limit), high: limit * 0.9, optimum: 0 }),
      h(full ? 'span.warning' : 'span', `${fmt(used)} of ${fmt(limit)}${full ? ' (full)' : ''}`),
    );
  });
  const reset = new Date(q.trainingMinutesToday.resetsAt);
  const perMinute = account.rateLimit?.requestsPerMinute;
  return h('section.card#usage', h('h2', 'Usage and quotas'),
    h('div.quotas', { style: { display: 'grid', gridTemplateColumns: 'minmax(5em, max-content) minmax(3em, 1fr) max-content', gap: '6px 12px', alignItems: 'center' } }, rows),
    h('p.muted', `Training minutes count runs started today (UTC) and start again at ${reset.toLocaleString()}. `,
      perMinute ? `Each API key may make ${perMinute} requests a minute.` : 'API keys have no request limit.'),
  );
}
