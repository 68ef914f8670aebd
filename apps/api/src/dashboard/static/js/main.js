import { clearKey, getKey } from './api.js';
import { clear, h } from './dom.js';
import { matchRoute } from './routes.js';
import { renderSignIn } from './views/sign-in-view.js';

const app = document.getElementById('app');
const nav = document.getElementById('nav');
const signOut = document.getElementById('sign-out');
/** Each view returns a cleanup function (stop polling, abort streams) run before the next view renders. */
let cleanup = () => {};

function route() {
  cleanup();
  cleanup = () => {};
  clear(app);
  const signedIn = Boolean(getKey());
  signOut.hidden = !signedIn;
  nav.hidden = !signedIn;
  if (!signedIn) {
    renderSignIn(app, () => {
      location.hash = '#/';
      route();
    });
    return;
  }
  const { route: r, params, query } = matchRoute(location.hash);
  for (const link of nav.querySelectorAll('a')) link.toggleAttribute('aria-current', link.dataset.nav === r.nav);
  for (const link of nav.querySelectorAll('a[aria-current]')) link.setAttribute('aria-current', 'page');
  try {
    cleanup = r.render(app, params, query) ?? cleanup;
  } catch (err) {
    app.append(h('p.error', String(err)));
  }
  // Move focus to the new view's heading so keyboard and screen-reader users start at the top of what changed.
  requestAnimationFrame(() => {
    if (!app.contains(document.activeElement) || document.activeElement === document.body) app.focus({ preventScroll: true });
  });
}

// The skip link cannot use a #fragment (the hash is the router's), so it moves focus itself.
document.getElementById('skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  app.focus();
});
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
