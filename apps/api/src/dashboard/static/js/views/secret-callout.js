import { h } from '../dom.js';

/** A secret shown once (a new key, a webhook's signing secret), with a copy button and a warning that says so. */
export function secretCallout(id, title, secret, note) {
  const value = h('code.secret-value', secret);
  const copy = h('button.secondary.small-button', { type: 'button' }, 'Copy');
  const copied = h('span.small', { role: 'status' });
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(secret);
      copied.textContent = 'Copied.';
    } catch {
      // No clipboard permission (plain http): select the text for a manual copy.
      getSelection()?.selectAllChildren(value);
      copied.textContent = 'Selected: press Ctrl+C to copy.';
    }
  });
  return h(`div.callout.secret#${id}`, { role: 'alert' }, h('strong', title), h('div.secret-row', value, copy, copied), h('p.small', note));
}
