import { clearKey, getKey } from './api.js';
import { clear, h } from './dom.js';
import { renderModel } from './views/model-view.js';
import { renderModels } from './views/models-view.js';
import { renderSignIn } from './views/sign-in-view.js';

const app = document.getElementById('app');
const signOut = document.getElementById('sign-out');
/** Each view returns a cleanup function (stop polling, abort streams) run before the next view renders. */
let cleanup = () => {};

function route() {
  cleanup();
  cleanup = () => {};
  clear(app);
  signOut.hidden = !getKey();
  if (!getKey()) {
    renderSignIn(app, () => {
      location.hash = '#/';
      route();
    });
    return;
  }
  const hash = location.hash.replace(/^#/, '') || '/';
  const model = hash.match(/^\/models\/([^/]+)$/);
  try {
    if (model) cleanup = renderModel(app, decodeURIComponent(model[1])) ?? cleanup;
    else cleanup = renderModels(app) ?? cleanup;
  } catch (err) {
    app.append(h('p.error', String(err)));
  }
}

signOut.addEventListener('click', () => {
  clearKey();
  location.hash = '#/';
  route();
});
// A key revoked mid-session sends the user back to sign in; on the sign-in form itself the form reports it.
window.addEventListener('tailor:unauthorized', () => {
  if (document.querySelector('.sign-in')) return;
  clearKey();
  route();
});
window.addEventListener('hashchange', route);
route();
