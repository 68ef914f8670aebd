import { getJson, problemText, sendJson } from '../api.js';
import { h } from '../dom.js';
import { checkboxGroup, field, say, statusLine } from './form-field.js';
import { secretCallout } from './secret-callout.js';

const EVENTS = ['training.finished', 'training.failed'];

/**
 * Webhooks: add one (for every model or one), send it a signed test delivery, read its delivery log, remove it.
 * The signing secret is shown once, when the webhook is added.
 */
export function webhooksPanel(models, signal) {
  const list = h('ul.webhook-list#webhook-list');
  const message = statusLine('webhooks-status');
  const secret = h('div');
  const url = h('input#webhook-url', { type: 'url', required: true, placeholder: 'https://example.com/tailor-hook' });
  const model = h('select#webhook-model', h('option', { value: '' }, 'Every model'), models.map((m) => h('option', { value: m.id }, m.name || m.id)));
  const events = checkboxGroup('Events', 'webhook-event', EVENTS, EVENTS);
  const form = h('form.form#webhook-form',
    field('URL', url, 'Public addresses only. Each delivery is a signed JSON POST: X-Tailor-Signature t=<unix>,v1=HMAC-SHA256(secret, "<t>.<body>").'),
    field('For', model), events.element,
    h('div.actions', h('button#webhook-add', { type: 'submit' }, 'Add webhook')));
  const name = (id) => (id ? models.find((m) => m.id === id)?.name || id : 'every model');

  const load = async () => {
    const { webhooks } = await getJson('/v1/webhooks');
    list.replaceChildren(...webhooks.map((w) => webhookRow(w, name(w.modelId), { message, reload: load, signal })));
    if (!webhooks.length) list.append(h('li.muted', 'No webhooks yet.'));
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const created = await sendJson('POST', '/v1/webhooks', { url: url.value.trim(), ...(model.value ? { modelId: model.value } : {}), events: events.values() });
      secret.replaceChildren(secretCallout('webhook-secret', 'Signing secret', created.secret, 'Your endpoint checks signatures with it. It is shown only this once.'));
      url.value = '';
      await load();
    } catch (err) {
      say(message, problemText(err), 'error');
    }
  });
  load().catch((err) => say(message, err.message, 'error'));
  return h('section.card#webhooks', h('h2', 'Webhooks'), list, message, h('h3', 'New webhook'), form, secret);
}

function webhookRow(w, target, { message, reload, signal }) {
  const log = h('div.delivery-log', { hidden: true, dataset: { webhookId: w.id } });
  const test = h('button.secondary.small-button', { type: 'button', dataset: { test: w.id } }, 'Send test');
  const toggle = h('button.link.small-button', { type: 'button', 'aria-expanded': 'false', dataset: { log: w.id } }, 'Delivery log');
  const remove = h('button.danger.small-button', { type: 'button', 'aria-label': `Remove webhook ${w.url}` }, 'Remove');

  const showLog = async () => {
    const { deliveries } = await getJson(`/v1/webhooks/${w.id}/deliveries`);
    log.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    log.replaceChildren(deliveries.length
      ? h('div.table-wrap', h('table.metrics-table.delivery-table',
          h('thead', h('tr', ['when', 'event', 'status', 'attempts', 'response', 'error'].map((t) => h('th', t)))),
          h('tbody', deliveries.map((d) => h('tr', { dataset: { deliveryId: d.id, status: d.status } },
            h('td', new Date(d.createdAt).toLocaleString()), h('td', d.event), h('td', h(`span.badge.badge-${d.status === 'delivered' ? 'ok' : d.status === 'failed' ? 'error' : 'busy'}`, d.status)),
            h('td', d.attempts), h('td', d.responseCode ?? '–'), h('td', d.error ?? ''))))))
      : h('p.muted', 'Nothing sent yet.'));
    return deliveries;
  };
  toggle.addEventListener('click', () => {
    if (!log.hidden) {
      log.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
    } else void showLog().catch((err) => say(message, err.message, 'error'));
  });
  test.addEventListener('click', async () => {
    test.disabled = true;
    try {
      const sent = await sendJson('POST', `/v1/webhooks/${w.id}/test`);
      say(message, 'Test delivery queued; its result appears in the log below.');
      // Follow the delivery until it leaves "pending" (delivered, or failed for good) or a minute passes.
      for (let i = 0; i < 60 && !signal.aborted; i++) {
        const d = (await showLog()).find((x) => x.id === sent.id);
        if (d && d.status !== 'pending') {
          say(message, d.status === 'delivered' ? `Test delivered: the endpoint answered ${d.responseCode}.` : `Test failed: ${d.error}.`, d.status === 'delivered' ? 'ok' : 'error');
          break;
        }
        if (d?.error) say(message, `Attempt ${d.attempts} failed (${d.error}); retrying with backoff…`, 'error');
        await new Promise((r) => setTimeout(r, 1000));
      }
    } catch (err) {
      say(message, problemText(err), 'error');
    } finally {
      test.disabled = false;
    }
  });
  remove.addEventListener('click', async () => {
    try {
      await sendJson('DELETE', `/v1/webhooks/${w.id}`);
      await reload();
    } catch (err) {
      say(message, problemText(err), 'error');
    }
  });
  return h('li.webhook', { dataset: { webhookId: w.id } },
    h('div.webhook-head', h('code.webhook-url', w.url), h('span.small.muted', ` for ${target} · ${w.events.join(', ')}`)),
    h('div.actions', test, toggle, remove), log);
}
