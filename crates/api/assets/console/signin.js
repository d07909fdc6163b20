// Signing in (POST /auth/token) and out (POST /auth/logout). The form shows over the current
// screen when a token expires, so that nothing typed there is lost.

import {h, replace} from './dom.js';
import {t} from './i18n.js';
import {post, setToken} from './api.js';
import {form, input, submit} from './forms.js';

let pending = null;

/** Shows the sign-in form in the layer; resolves once signed in. */
export function signIn(expired = false) {
  if (pending) return pending;
  const layer = document.getElementById('signin-layer');
  const main = document.getElementById('main');
  const before = document.activeElement;
  pending = new Promise((resolve) => {
    const box = h('section', {class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'signin-title'},
      h('h2', {id: 'signin-title'}, t('signin.title')),
      expired ? h('p', {class: 'notice notice-wait'}, t('signin.expired')) : null,
      form({id: 'signin-form'}, [
        input('email', t('signin.email'), {type: 'email', autocomplete: 'username', required: true, id: 'signin-email'}),
        input('password', t('signin.password'), {type: 'password', autocomplete: 'current-password', required: true, id: 'signin-password'}),
        submit(t('signin.submit'), {id: 'signin-submit'}),
      ], async (v) => {
        const answer = await post('/auth/token', {email: v.email, password: v.password});
        setToken(answer.token);
        layer.hidden = true;
        replace(layer);
        main.inert = false;
        document.querySelector('header.top').inert = false;
        pending = null;
        resolve();
        if (before && before.isConnected && before !== document.body) before.focus();
      }));
    replace(layer, box);
    layer.hidden = false;
    main.inert = true;
    document.querySelector('header.top').inert = true;
    document.getElementById('signin-email').focus();
  });
  return pending;
}

/** Revokes the token, then forgets it. */
export async function signOut() {
  try { await post('/auth/logout'); } catch { /* already invalid: forget it anyway */ }
  setToken(null);
}
