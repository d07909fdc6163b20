// Stands of an event and the needs shown on them; the needs attached to the event; the needs
// buyers proposed for it, which show there once an organiser accepts them.

import {h, replace, announce} from './dom.js';
import {t, label, setZone} from './i18n.js';
import {get, post, all} from './api.js';
import {form, input, select, submit, action} from './forms.js';
import {table, badge} from './table.js';
import {tabs} from './events.js';

export const name = 'stands';

export async function render(app, params) {
  const id = params.event;
  const event = await get(`/events/${id}`);
  setZone(event.timezone);
  const area = h('div', {});
  const organisations = await all('/organisations');
  app.append(h('h1', {}, t('stands.title', {title: event.title})), tabs(id, '/stands'), area,
    h('h2', {}, t('stands.add')),
    form({id: 'stand-form', class: 'inline-form'}, [
      select('kind', t('stands.kind'), [['inverted', label('stand', 'inverted')], ['classic', label('stand', 'classic')]], 'inverted', {id: 'stand-kind'}),
      select('organisation_id', t('stands.holder'), organisations.map((o) => [o.id, o.name]), '', {id: 'stand-organisation'}),
      input('title', t('stands.name'), {id: 'stand-title', required: true}),
      input('location', t('stands.location'), {id: 'stand-location'}),
      submit(t('stands.add'), {id: 'stand-add'}),
    ], async (v) => {
      await post(`/events/${id}/stands`, v);
      await show();
      announce(t('stands.added'));
    }));
  const holder = (n) => (organisations.find((o) => o.id === n.organisation_id) || {}).name || '—';
  async function accept(need) {
    await post(`/needs/${need.id}/accept`);
    await show();
    announce(t('stands.accepted', {title: need.title}));
  }
  async function show() {
    const [stands, needs, proposed] = await Promise.all([
      get(`/events/${id}/stands`), all(`/needs?event=${id}`), all(`/needs?event=${id}&proposed=true`)]);
    replace(area,
      table({
        caption: t('stands.caption'), id: 'stands', rows: stands,
        columns: [
          {label: t('stands.name'), header: true, cell: (s) => s.title},
          {label: t('stands.kind'), cell: (s) => label('stand', s.kind)},
          {label: t('stands.holder'), cell: (s) => s.organisation_name},
          {label: t('stands.location'), cell: (s) => s.location || '—'},
          {label: t('stands.needs'), cell: (s) => {
            const shown = needs.filter((n) => n.stand_id === s.id);
            return shown.length ? h('ul', {class: 'plain'}, shown.map((n) => h('li', {}, n.title))) : '—';
          }},
        ],
      }),
      h('h2', {id: 'proposed-title'}, t('stands.proposed')),
      table({
        caption: t('stands.proposed_caption'), id: 'proposed-needs', rows: proposed, hideCaption: true,
        empty: t('stands.proposed_none'),
        columns: [
          {label: t('need.title'), header: true, cell: (n) => n.title},
          {label: t('need.category'), cell: (n) => n.category_label},
          {label: t('stands.holder'), cell: (n) => holder(n)},
          {label: t('need.status'), cell: (n) => badge(label('status', n.status), n.status)},
          {label: t('reg.actions'), cell: (n) => action(t('stands.accept'), () => accept(n),
            {class: 'small-button primary', dataset: {accept: n.id}, 'aria-label': t('stands.accept_need', {title: n.title})})},
        ],
      }),
      h('h2', {}, t('stands.event_needs')),
      table({
        caption: t('stands.needs_caption'), id: 'event-needs', rows: needs,
        columns: [
          {label: t('need.title'), header: true, cell: (n) => n.title},
          {label: t('need.category'), cell: (n) => n.category_label},
          {label: t('need.status'), cell: (n) => badge(label('status', n.status), n.status)},
          {label: t('stands.holder'), cell: (n) => holder(n)},
        ],
      }));
  }
  await show();
}
