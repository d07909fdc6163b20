// The console's entry: who is signed in, the menu, and the screen the URL fragment names
// (#/events/…). Each screen is a module of its own exporting `render(app, params, context)`.

import {h, replace, flash, announcePending} from './dom.js';
import {t, lang, setLang, onLang} from './i18n.js';
import {get, hasToken, onUnauthorized} from './api.js';
import {signIn, signOut} from './signin.js';

const routes = [
  [/^#\/events\/new$/, () => import('./event_form.js'), []],
  [/^#\/events\/([\w-]+)\/registrations$/, () => import('./registrations.js'), ['event']],
  [/^#\/events\/([\w-]+)\/stands$/, () => import('./stands.js'), ['event']],
  [/^#\/events\/([\w-]+)\/meetings$/, () => import('./meetings.js'), ['event']],
  [/^#\/events\/([\w-]+)\/timetable$/, () => import('./timetable.js'), ['event']],
  [/^#\/events\/([\w-]+)\/check-in$/, () => import('./checkin.js'), ['event']],
  [/^#\/events\/([\w-]+)\/room$/, () => import('./room.js'), ['event']],
  [/^#\/events\/([\w-]+)\/attendance$/, () => import('./attendance.js'), ['event']],
  [/^#\/events\/([\w-]+)\/report$/, () => import('./report.js'), ['event']],
  [/^#\/events\/([\w-]+)\/invitations$/, () => import('./invitations.js'), ['event']],
  [/^#\/import$/, () => import('./import.js'), []],
  [/^#\/series\/([\w-]+)\/report$/, () => import('./report.js'), ['series']],
  [/^#\/events\/([\w-]+)$/, () => import('./event_form.js'), ['event']],
  [/^#\/events$/, () => import('./events.js'), []],
  [/^#\/outbox$/, () => import('./outbox.js'), []],
  [/^#\/organisations\/([\w-]+)$/, () => import('./organisation.js'), ['organisation']],
  [/^#\/organisations\/([\w-]+)\/needs\/new$/, () => import('./needs.js'), ['organisation']],
  [/^#\/needs\/([\w-]+)$/, () => import('./needs.js'), ['need']],
];

const context = {account: null, stop: null};

async function account() {
  if (!hasToken()) await signIn();
  context.account = await get('/me');
  return context.account;
}

function home() {
  const a = context.account;
  if (a.role === 'member' && a.organisations.length) return `#/organisations/${a.organisations[0].organisation_id}`;
  return '#/events';
}

function menu() {
  const a = context.account;
  const links = [];
  if (a.role !== 'member') links.push(['#/events', t('nav.events')], ['#/outbox', t('nav.outbox')], ['#/import', t('nav.import')]);
  for (const o of a.organisations) links.push([`#/organisations/${o.organisation_id}`, o.name]);
  const here = location.hash;
  replace(document.getElementById('nav'), h('ul', {},
    links.map(([href, text]) => h('li', {}, h('a', {href, 'aria-current': here.startsWith(href) ? 'page' : null}, text)))));
  const out = document.getElementById('sign-out');
  out.hidden = false;
  out.textContent = t('nav.signout');
}

async function show() {
  if (context.stop) { context.stop(); context.stop = null; }
  const app = document.getElementById('app');
  if (!context.account) await account();
  if (!location.hash.startsWith('#/') || location.hash === '#/') {
    history.replaceState(null, '', home());
  }
  menu();
  const hash = location.hash.split('?')[0];
  const found = routes.find(([re]) => re.test(hash));
  if (!found) {
    replace(app, h('h1', {}, t('notfound.title')), h('p', {}, h('a', {href: home()}, t('notfound.back'))));
    return;
  }
  const [re, load, names] = found;
  const match = hash.match(re);
  const params = Object.fromEntries(names.map((n, i) => [n, match[i + 1]]));
  const screen = await load();
  replace(app, flash());
  document.body.dataset.screen = screen.name || '';
  try {
    context.stop = await screen.render(app, params, context) || null;
  } catch (error) {
    replace(app, h('h1', {}, t('error.title')), h('p', {class: 'notice notice-error', role: 'alert'}, error.message || String(error)));
  }
  announcePending();
  const title = app.querySelector('h1');
  document.title = `${title ? title.textContent : 'Console'} · Matinale`;
}

function toggleLang() {
  setLang(lang() === 'fr' ? 'en' : 'fr');
}

function start() {
  onUnauthorized(() => signIn(true));
  const toggle = document.getElementById('lang-toggle');
  toggle.addEventListener('click', toggleLang);
  onLang(() => {
    document.documentElement.lang = lang();
    toggle.textContent = lang() === 'fr' ? 'English' : 'Français';
    toggle.lang = lang() === 'fr' ? 'en' : 'fr';
    document.getElementById('skip').textContent = t('skip');
    if (context.account) show();
  });
  document.getElementById('sign-out').addEventListener('click', async () => {
    await signOut();
    context.account = null;
    history.replaceState(null, '', '#/');
    document.getElementById('sign-out').hidden = true;
    replace(document.getElementById('nav'));
    replace(document.getElementById('app'), h('h1', {}, t('signout.done')));
    await account();
    show();
  });
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#/')) show();
  });
  setLang(lang());
  show();
}

start();
