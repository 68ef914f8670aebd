import { getJson, getKey, problemText, sendJson } from '../api.js';
import { h } from '../dom.js';
import { checkboxGroup, field, say, statusLine } from './form-field.js';
import { secretCallout } from './secret-callout.js';

const SCOPES = ['train', 'predict', 'admin'];
const SCOPE_HELP = 'train: create models, upload, train · predict: read and predict · admin: keys and account.';

/** The account's API keys: create one (shown once), revoke one. The key this page signed in with is marked. */
export function keysPanel() {
  const list = h('div.table-wrap');
  const message = statusLine('keys-status');
  const secret = h('div');
  const name = h('input#key-name', { maxlength: 100, autocomplete: 'off', placeholder: 'ci-predict' });
  const scopes = checkboxGroup('Scopes', 'key-scope', SCOPES, ['predict']);
  const form = h('form.form#key-form', field('Name', name), scopes.element, h('p.hint', SCOPE_HELP), h('div.actions', h('button#key-create', { type: 'submit' }, 'Create key')));

  const load = async () => {
    const { keys } = await getJson('/v1/keys');
    const mine = getKey() ?? '';
    list.replaceChildren(h('table.metrics-table.keys-table#keys-table',
      h('thead', h('tr', ['name', 'key', 'scopes', 'created', 'last used', ''].map((t) => h('th', t)))),
      h('tbody', keys.map((k) => {
        const revoke = h('button.danger.small-button', { type: 'button', 'aria-label': `Revoke key ${k.name} (${k.prefix}…)`, dataset: { revoke: k.id } }, 'Revoke');
        revoke.addEventListener('click', () => confirmRevoke(revoke, k));
        return h('tr', { dataset: { keyId: k.id, revoked: Boolean(k.revokedAt) } },
          h('td', k.name, mine.startsWith(k.prefix) ? h('span.badge.badge-idle', 'this session') : null),
          h('td', h('code', `${k.prefix}…`)),
          h('td', k.scopes.join(', ')),
          h('td', new Date(k.createdAt).toLocaleDateString()),
          h('td', k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'never'),
          h('td', k.revokedAt ? h('span.badge.badge-error', 'revoked') : revoke));
      }))));
  };

  /** Two steps: the first press asks, the second revokes (a revoked key cannot be brought back). */
  const confirmRevoke = async (button, key) => {
    if (button.dataset.confirm !== 'true') {
      button.dataset.confirm = 'true';
      button.textContent = 'Press again to revoke';
      return;
    }
    try {
      await sendJson('DELETE', `/v1/keys/${key.id}`);
      say(message, `Revoked ${key.name} (${key.prefix}…): requests with it now answer 401.`);
      await load();
    } catch (err) {
      say(message, problemText(err), 'error');
    }
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const created = await sendJson('POST', '/v1/keys', { ...(name.value.trim() ? { name: name.value.trim() } : {}), scopes: scopes.values() });
      secret.replaceChildren(secretCallout('new-key', 'Your new key', created.key, 'Store it now: it is shown only this once (the server keeps only a hash of it).'));
      name.value = '';
      await load();
    } catch (err) {
      say(message, problemText(err), 'error');
    }
  });
  load().catch((err) => say(message, err.message, 'error'));
  return h('section.card#keys', h('h2', 'API keys'), list, h('h3', 'New key'), form, secret, message);
}
