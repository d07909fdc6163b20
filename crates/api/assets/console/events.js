// Organisers: the events they organise, with registrations counted per category, and the
// series (with their report).

import {h, replace} from './dom.js';
import {t, when, label, num, setZone} from './i18n.js';
import {get, query} from './api.js';
import {table, pager, badge} from './table.js';

export const name = 'events';

const CATEGORIES = ['buyer', 'ess_structure', 'partner', 'visitor'];

/** "12 / 3 / 1" for one category: registered (confirmed or arrived), waitlisted, cancelled. */
function counts(by) {
  const c = by || {};
  const registered = (c.confirmed || 0) + (c.attended || 0) + (c.no_show || 0);
  return `${num(registered)} / ${num(c.waitlisted || 0)} / ${num(c.cancelled || 0)}`;
}

export async function render(app) {
  const list = h('div', {id: 'events-list'});
  const series = h('div', {id: 'series-list'});
  app.append(
    h('div', {class: 'title-row'},
      h('h1', {}, t('events.title')),
      h('a', {class: 'button primary', href: '#/events/new', id: 'new-event'}, t('events.new'))),
    list,
    h('h2', {}, t('events.series')),
    series);

  async function show(page) {
    const answer = await get(`/me/events${query({page, per_page: 50})}`);
    replace(list,
      table({
        caption: t('events.caption'),
        id: 'events-table',
        rows: answer.items,
        columns: [
          {label: t('events.event'), header: true, cell: ({event}) => h('a', {href: `#/events/${event.id}`}, event.title)},
          {label: t('events.when'), cell: ({event}) => { setZone(event.timezone); return when(event.starts_at); }},
          {label: t('events.status'), cell: ({event}) => badge(label('status', event.status), event.status)},
          ...CATEGORIES.map((c) => ({
            label: label('category', c),
            class: 'num',
            cell: ({registrations}) => counts(registrations[c]),
          })),
        ],
      }),
      answer.total > answer.per_page ? pager(answer, show) : null);
  }
  await show(1);
  const allSeries = await get('/series?per_page=200');
  replace(series, allSeries.items.length
    ? h('ul', {}, allSeries.items.map((s) => h('li', {}, h('a', {href: `#/series/${s.id}/report`}, t('events.series_report', {title: s.title})))))
    : h('p', {class: 'empty'}, t('table.empty')));
}

/** The tabs of an event's screens. */
export function tabs(id, current) {
  const items = [
    ['', 'tab.edit'], ['/registrations', 'tab.registrations'], ['/stands', 'tab.stands'],
    ['/meetings', 'tab.meetings'], ['/timetable', 'tab.timetable'], ['/check-in', 'tab.checkin'],
    ['/room', 'tab.room'], ['/attendance', 'tab.attendance'], ['/report', 'tab.report'],
    ['/invitations', 'tab.invitations'],
  ];
  return h('nav', {class: 'tabs', 'aria-label': t('event.tabs')},
    h('ul', {}, items.map(([path, key]) => h('li', {},
      h('a', {href: `#/events/${id}${path}`, 'aria-current': path === current ? 'page' : null}, t(key))))));
}
