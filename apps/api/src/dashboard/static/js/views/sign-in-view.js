import { ApiError, getJson, setKey, clearKey } from '../api.js';
import { h } from '../dom.js';

/** Asks for an API key and checks it against /v1/account before keeping it. */
export function renderSignIn(root, onSignedIn) {
  const input = h('input#api-key', { type: 'password', autocomplete: 'off', placeholder: 'tl_…', required: true, 'aria-label': 'API key' });
  const message = h('p.error#sign-in-error', { role: 'alert' });
  const form = h(
    'form.card.sign-in',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        message.textContent = '';
        setKey(input.value.trim());
        try {
          await getJson('/v1/account');
          onSignedIn();
        } catch (err) {
          clearKey();
          message.textContent = err instanceof ApiError && err.status === 401 ? 'That key was not accepted.' : `Could not sign in: ${err.message}`;
        }
      },
    },
    h('h1', 'Sign in'),
    h('p.muted', 'Use an API key: the one `npm start` printed, one made with tailor-admin, or one made under Keys & notifications. It is kept only for this tab.'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button#sign-in', { type: 'submit' }, 'Sign in'),
    message,
  );
  root.append(form);
  input.focus();
}
