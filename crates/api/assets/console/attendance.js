// Attendance of the published meetings: held, or a no-show (saying who was absent); the
// outcomes reported by either side; and marking those who never came.

import {h, replace, announce} from './dom.js';
import {t, hm, label, setZone} from './i18n.js';
import {get, post, all} from './api.js';
import {form, select, submit, action} from './forms.js';
import {table, badge} from './table.js';
import {tabs} from './events.js';

export const name = 'attendance';

export async function render(app, params) {
  const id = params.event;
  const event = await get(`/events/${id}`);
  setZone(event.timezone);
  const area = h('div', {});
  app.append(h('h1', {}, t('att.title', {title: event.title})), tabs(id, '/attendance'),
    h('div', {class: 'actions'}, action(t('att.no_shows'), async () => {
      await post(`/events/${id}/no-shows`);
      announce(t('att.saved'));
    }, {id: 'mark-no-shows'})),
    area);
  async function show() {
    const meetings = (await all(`/events/${id}/meetings`)).filter((m) => m.status !== 'cancelled');
    const outcomes = await Promise.all(meetings.map((m) => get(`/meetings/${m.id}/outcomes`).catch(() => null)));
    const who = (m) => `${m.buyer_name} – ${m.supplier_name}`;
    replace(area, table({
      caption: t('att.caption'), id: 'attendance', rows: meetings.map((m, i) => ({...m, outcome: outcomes[i]})),
      rowAttrs: (m) => ({dataset: {meeting: m.id}}),
      columns: [
        {label: t('tt.slot'), cell: (m) => `${hm(m.slot_starts_at)} · ${m.table_label}`},
        {label: t('meet.name'), header: true, cell: who},
        {label: t('reg.status'), cell: (m) => badge(label('status', m.status), m.status)},
        {label: t('att.mark', {who: ''}), cell: (m) => form({class: 'inline-form compact', dataset: {attendance: m.id}}, [
          select('status', t('att.mark', {who: who(m)}), [['held', t('att.held')], ['no_show', t('att.no_show')]], m.status === 'no_show' ? 'no_show' : 'held'),
          select('absent', t('att.absent'), [['', '—'], ['buyer', label('absent', 'buyer')], ['supplier', label('absent', 'supplier')], ['both', label('absent', 'both')]], ''),
          submit(t('att.save'), {'aria-label': t('att.save_label', {who: who(m)})}),
        ], async (v) => {
          await post(`/meetings/${m.id}/attendance`, {status: v.status, absent: v.status === 'no_show' ? (v.absent || 'both') : null});
          await show();
          announce(t('att.saved'));
        })},
        {label: t('att.outcome'), cell: (m) => (m.outcome && m.outcome.latest.length)
          ? m.outcome.latest.map((o) => `${o.side}: ${o.outcome}${o.amount_eur ? ` (${o.amount_eur} €)` : ''}`).join(' · ')
          : '—'},
      ],
    }));
  }
  await show();
}
