import { problemText, sendJson } from '../api.js';
import { h } from '../dom.js';
import { field, say, statusLine } from './form-field.js';

/** The address training notifications go to, and whether to send them (PATCH /v1/account). */
export function emailPanel(account, canEdit) {
  const email = h('input#account-email', { type: 'email', value: account.email ?? '', autocomplete: 'email', placeholder: 'you@example.com', disabled: !canEdit });
  const notify = h('input#account-notify', { type: 'checkbox', checked: account.notifyEmail, disabled: !canEdit });
  const message = statusLine('email-status');
  const form = h('form.form#email-form',
    field('Notification e-mail', email, 'Gets a message when a training run finishes or fails (if the server has SMTP set up). Leave empty for none.'),
    h('label.check', notify, ' Send these e-mails'),
    h('div.actions', h('button#email-save', { type: 'submit', disabled: !canEdit }, 'Save')),
    message);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const saved = await sendJson('PATCH', '/v1/account', { email: email.value.trim() || null, notifyEmail: notify.checked });
      say(message, saved.email ? `Saved: notifications go to ${saved.email}${saved.notifyEmail ? '' : ' (switched off)'}.` : 'Saved: no notification e-mail.');
    } catch (err) {
      say(message, problemText(err), 'error');
    }
  });
  return h('section.card#email', h('h2', 'E-mail'), form);
}
