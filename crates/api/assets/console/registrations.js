// Registrations of an event: searchable, filtered, paged; the organisation with its claim
// state (approve), accessibility needs, cancel, check in, and the CSV export.

import {h, replace, announce} from './dom.js';
import {t, label, setZone} from './i18n.js';
import {get, post, query} from './api.js';
import {form, input, select, submit, action} from './forms.js';
import {table, pager, badge} from './table.js';
import {tabs} from './events.js';

export const name = 'registrations';

const STATUSES = ['confirmed', 'waitlisted', 'attended', 'no_show', 'cancelled'];
const CATEGORIES = ['buyer', 'ess_structure', 'partner', 'visitor'];
const organisations = new Map(); // id → name, for this tab

async function organisationNames(ids) {
  const missing = [...new Set(ids)].filter((id) => id && !organisations.has(id));
  await Promise.all(missing.map(async (id) => {
    try { organisations.set(id, (await get(`/organisations/${id}`)).name); } catch { organisations.set(id, '?'); }
  }));
}

export async function render(app, params) {
  const id = params.event;
  const event = await get(`/events/${id}`);
  setZone(event.timezone);
  const state = {q: '', status: '', category: '', page: 1, per_page: 50};
  const results = h('div', {id: 'registrations-area'});
  const csv = action(t('reg.csv'), async () => {
    const text = await get(`/events/${id}/registrations${query({status: state.status, category: state.category, q: state.q})}`, {accept: 'text/csv'});
    const {download} = await import('./api.js');
    download(text, 'inscriptions.csv', 'text/csv');
  }, {id: 'registrations-csv'});
  app.append(
    h('h1', {}, t('reg.title', {title: event.title})),
    tabs(id, '/registrations'),
    form({id: 'registrations-filter', class: 'inline-form', role: 'search'}, [
      input('q', t('reg.search'), {type: 'search', id: 'registrations-q', value: state.q}),
      select('status', t('reg.status'), [['', t('reg.all')], ...STATUSES.map((s) => [s, label('status', s)])], '', {id: 'registrations-status'}),
      select('category', t('reg.category'), [['', t('reg.all')], ...CATEGORIES.map((c) => [c, label('category', c)])], '', {id: 'registrations-category'}),
      select('per_page', t('reg.per_page'), [['50', '50'], ['100', '100'], ['200', '200']], '50', {id: 'registrations-per-page'}),
      submit(t('reg.filter'), {id: 'registrations-search'}),
    ], async (v) => {
      Object.assign(state, {q: v.q, status: v.status, category: v.category, per_page: Number(v.per_page), page: 1});
      await show();
    }),
    h('div', {class: 'actions'}, csv),
    results);

  async function act(run, message) {
    await run();
    await show();
    announce(message);
  }

  async function show() {
    const list = await get(`/events/${id}/registrations${query(state)}`);
    await organisationNames(list.items.map((r) => r.organisation_id));
    const nameOf = (r) => `${r.person.first_name} ${r.person.last_name}`;
    replace(results,
      table({
        caption: `${t('reg.caption')} (${list.total})`,
        id: 'registrations',
        rows: list.items,
        rowAttrs: (r) => ({dataset: {registration: r.id}}),
        columns: [
          {label: t('reg.person'), header: true, cell: (r) => [nameOf(r), h('br'), h('span', {class: 'small'}, r.person.email)]},
          {label: t('reg.category'), cell: (r) => label('category', r.category)},
          {label: t('reg.status'), cell: (r) => [badge(label('status', r.status), r.status),
            r.waitlist_position ? ` ${t('reg.waitlist', {n: r.waitlist_position})}` : null]},
          {label: t('reg.organisation'), cell: (r) => r.organisation_id ? [
            organisations.get(r.organisation_id), ' ',
            r.organisation_confirmed ? badge(t('reg.claim_ok'), 'confirmed') : badge(t('reg.claim_pending'), 'waitlisted'),
            !r.organisation_confirmed && r.status !== 'cancelled'
              ? action(t('reg.approve_short'), () => act(() => post(`/registrations/${r.id}/organisation/approve`), t('reg.approved', {name: nameOf(r)})),
                {'aria-label': t('reg.approve', {name: nameOf(r)}), class: 'small-button', dataset: {approve: r.id}})
              : null,
          ] : '—'},
          {label: t('reg.accessibility'), cell: (r) => r.accessibility_needs || '—'},
          {label: t('reg.actions'), cell: (r) => [
            r.status === 'confirmed' || r.status === 'no_show'
              ? action(t('reg.checkin_short'), () => act(() => post(`/events/${id}/check-ins`, {registration_id: r.id}), t('reg.checked_in', {name: nameOf(r)})),
                {'aria-label': t('reg.checkin', {name: nameOf(r)}), class: 'small-button', dataset: {checkin: r.id}})
              : null,
            r.status === 'confirmed' || r.status === 'waitlisted'
              ? action(t('reg.cancel_short'), async () => {
                if (!confirm(t('reg.cancel', {name: nameOf(r)}) + ' ?')) return;
                await act(() => post(`/registrations/${r.id}/cancel`), t('reg.cancelled', {name: nameOf(r)}));
              }, {'aria-label': t('reg.cancel', {name: nameOf(r)}), class: 'small-button danger', dataset: {cancel: r.id}})
              : null,
          ]},
        ],
      }),
      list.total > list.per_page ? pager(list, async (page) => { state.page = page; await show(); }, 'registrations-pager') : null);
  }
  await show();
}
