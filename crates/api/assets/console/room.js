// The room screen for a projector: the slot under way and the next one, table by table, in
// large type; it refreshes itself every 15 seconds.

import {h, replace} from './dom.js';
import {t, hm, lang, setZone} from './i18n.js';
import {get} from './api.js';
import {table} from './table.js';
import {tabs} from './events.js';

export const name = 'room';

const EVERY_MS = 15000;

function seat(s) {
  return [s.checked_in ? '✓ ' : '', s.name, s.organisation ? h('span', {class: 'small'}, ` · ${s.organisation}`) : null];
}

function slot(heading, s, empty, id) {
  if (!s) return h('section', {id}, h('h2', {}, heading), h('p', {class: 'empty'}, empty));
  return h('section', {id},
    h('h2', {}, heading),
    table({
      caption: heading, hideCaption: true, id: `${id}-tables`, rows: s.tables,
      columns: [
        {label: t('room.table'), header: true, cell: (x) => x.table_label},
        {label: t('room.buyer'), cell: (x) => seat(x.buyer)},
        {label: t('room.supplier'), cell: (x) => seat(x.supplier)},
      ],
    }));
}

export async function render(app, params) {
  const id = params.event;
  const event = await get(`/events/${id}`);
  setZone(event.timezone);
  const area = h('div', {class: 'room', id: 'room'});
  const stamp = h('p', {class: 'small', id: 'room-updated'});
  app.append(h('h1', {class: 'room-title'}, `${t('room.title')} — ${event.title}`), tabs(id, '/room'), stamp, area);
  document.body.classList.add('projector');
  async function refresh() {
    const now = await get(`/events/${id}/meetings/now`);
    replace(area,
      slot(now.current ? t('room.current', {from: hm(now.current.starts_at), to: hm(now.current.ends_at)}) : t('room.now'), now.current, t('room.none'), 'room-current'),
      slot(now.next ? t('room.next', {from: hm(now.next.starts_at), to: hm(now.next.ends_at)}) : t('room.no_next'), now.next, t('room.no_next'), 'room-next'));
    stamp.textContent = t('room.updated', {at: new Date().toLocaleTimeString(lang())});
  }
  await refresh();
  const timer = setInterval(() => refresh().catch(() => {}), EVERY_MS);
  return () => { clearInterval(timer); document.body.classList.remove('projector'); };
}
