import { getJson } from '../api.js';
import { h } from '../dom.js';
import { usagePanel } from './account-usage-panel.js';
import { emailPanel } from './email-panel.js';
import { keysPanel } from './keys-panel.js';
import { webhooksPanel } from './webhooks-panel.js';

/** Keys and notifications: the account's API keys, the e-mail that hears when a run ends, and webhooks. */
export function renderAccount(root) {
  document.title = 'Keys & notifications · Tailor';
  const abort = new AbortController();
  root.append(h('h1', 'Keys & notifications'));
  Promise.all([getJson('/v1/account'), getJson('/v1/models')])
    .then(([account, { models }]) => {
      const admin = account.scopes.includes('admin');
      // Element.append would write a null as the text "null": leave the optional parts out instead.
      root.append(
        ...[
          h('p.muted', `Account ${account.name} · this key's scopes: ${account.scopes.join(', ')}`),
          admin ? null : h('p.warning', 'This key has no admin scope: keys and the e-mail address can be seen and changed only with an admin key.'),
          usagePanel(account),
          h('div.grid-2', emailPanel(account, admin), webhooksPanel(models, abort.signal)),
          admin ? keysPanel() : null,
        ].filter(Boolean),
      );
    })
    .catch((err) => root.append(h('p.error', err.message)));
  return () => abort.abort();
}
