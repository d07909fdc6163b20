// The published timetable as a slot × table grid per block; a meeting's cell opens its
// actions: move it to a free place, cancel it. A meeting can be added by hand.

import {h, replace, announce} from './dom.js';
import {t, hm, when, setZone} from './i18n.js';
import {get, post, patch, all} from './api.js';
import {form, select, submit, action} from './forms.js';
import {tabs} from './events.js';

export const name = 'timetable';

const tableName = (block, n) => (block.table_labels && block.table_labels[n - 1]) || t('tt.table', {n});
const who = (m) => `${m.buyer_name} – ${m.supplier_name}`;

/** The free places of the blocks as `[slot_id|table, label]` options. */
function freePlaces(blocks, meetings) {
  const taken = new Set(meetings.map((m) => `${m.slot_id}|${m.table}`));
  const out = [];
  for (const b of blocks) for (const s of b.slots) for (let n = 1; n <= b.tables; n++) {
    const key = `${s.id}|${n}`;
    if (!taken.has(key)) out.push([key, `${hm(s.starts_at)} · ${tableName(b, n)}`]);
  }
  return out;
}

/** Tables shown at once: a regional day has 400, which no one reads side by side. */
const TABLES_AT_ONCE = 25;
const firstTable = new Map(); // block id → the first table shown, for this tab

function blockTable(b, i, first, at, byId, open) {
  const last = Math.min(b.tables, first + TABLES_AT_ONCE - 1);
  const free = t('tt.free');
  const head = h('tr', {}, h('th', {scope: 'col'}, t('tt.slot')));
  for (let n = first; n <= last; n++) head.append(h('th', {scope: 'col'}, tableName(b, n)));
  const body = document.createElement('tbody');
  for (const s of b.slots) {
    const tr = document.createElement('tr');
    tr.append(h('th', {scope: 'row'}, `${hm(s.starts_at)}–${hm(s.ends_at)}`));
    for (let n = first; n <= last; n++) {
      const m = at.get(`${s.id}|${n}`);
      const td = document.createElement('td');
      if (m) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'meeting';
        button.dataset.meeting = m.id;
        button.textContent = who(m);
        td.append(button);
      } else {
        td.className = 'free';
        td.textContent = free;
      }
      tr.append(td);
    }
    body.append(tr);
  }
  const table = h('table', {class: 'grid', id: `grid-${i}`},
    h('caption', {}, `${t('tt.caption')} — ${when(b.starts_at)}`),
    h('thead', {}, head), body);
  table.style.width = `${7 + (last - first + 1) * 12}rem`;
  table.addEventListener('click', (event) => {
    const button = event.target.closest('button.meeting');
    if (button) open(byId.get(button.dataset.meeting), button);
  });
  return h('div', {class: 'table-wrap grid-wrap', tabindex: 0, role: 'region', 'aria-label': `${t('tt.caption')} ${i + 1}`}, table);
}

/**
 * The grids, one a block: rows are slots, columns are tables (25 at a time, chosen above the
 * grid, when a block has more); `open(meeting, button)` on a click, through one listener a grid.
 */
export function grid(blocks, meetings, open) {
  const at = new Map(meetings.map((m) => [`${m.slot_id}|${m.table}`, m]));
  const byId = new Map(meetings.map((m) => [m.id, m]));
  return blocks.map((b, i) => {
    const holder = h('div', {});
    const draw = (first) => {
      firstTable.set(b.id, first);
      replace(holder, blockTable(b, i, first, at, byId, open));
    };
    const first = Math.min(firstTable.get(b.id) || 1, b.tables);
    draw(first);
    if (b.tables <= TABLES_AT_ONCE) return holder;
    const ranges = [];
    for (let f = 1; f <= b.tables; f += TABLES_AT_ONCE) {
      ranges.push([f, t('tt.tables_range', {from: tableName(b, f), to: tableName(b, Math.min(b.tables, f + TABLES_AT_ONCE - 1))})]);
    }
    const chooser = select('first', t('tt.tables_shown'), ranges, first, {id: `grid-${i}-tables`});
    chooser.querySelector('select').addEventListener('change', (event) => draw(Number(event.target.value)));
    return h('div', {}, chooser, holder);
  });
}

export async function render(app, params) {
  const id = params.event;
  const event = await get(`/events/${id}`);
  setZone(event.timezone);
  const area = h('div', {id: 'timetable'});
  const panel = h('div', {id: 'meeting-panel', class: 'panel', hidden: true, tabindex: -1});
  const adding = h('div', {id: 'add-meeting'});
  app.append(h('h1', {}, t('tt.title', {title: event.title})), tabs(id, '/timetable'), panel, area, adding);

  let blocks = [];
  let meetings = [];
  async function load() {
    blocks = (await get(`/events/${id}/meeting-blocks?per_page=200`)).items;
    meetings = (await all(`/events/${id}/meetings?status=scheduled`));
    draw();
  }

  function open(m, from) {
    replace(panel,
      h('h2', {id: 'panel-title'}, who(m)),
      h('p', {}, `${hm(m.slot_starts_at)} · ${m.table_label}`),
      form({id: 'move-form', class: 'inline-form'}, [
        select('to', t('tt.to'), freePlaces(blocks, meetings), '', {id: 'move-to'}),
        submit(t('tt.move'), {id: 'move-submit', 'aria-label': t('tt.move_label', {who: who(m)})}),
      ], async (v) => {
        const [slot, table] = v.to.split('|');
        await patch(`/meetings/${m.id}`, {slot_id: slot, table: Number(table)});
        panel.hidden = true;
        await load();
        announce(t('tt.moved'));
        const moved = area.querySelector(`[data-meeting="${m.id}"]`);
        if (moved) moved.focus();
      }),
      h('div', {class: 'actions'},
        action(t('tt.cancel_short'), async () => {
          if (!confirm(t('tt.cancel', {who: who(m)}) + ' ?')) return;
          await post(`/meetings/${m.id}/cancel`, {reason: null});
          panel.hidden = true;
          await load();
          announce(t('tt.cancelled'));
        }, {id: 'cancel-meeting', class: 'danger', 'aria-label': t('tt.cancel', {who: who(m)})}),
        h('button', {type: 'button', onclick: () => { panel.hidden = true; if (from.isConnected) from.focus(); }}, t('tt.close'))));
    panel.hidden = false;
    document.getElementById('move-to').focus();
  }

  let people = [];
  function drawAdd() {
    const buyers = people.filter((p) => p.category === 'buyer' && p.takes_part);
    const suppliers = people.filter((p) => p.category === 'ess_structure' && p.takes_part);
    const named = (p) => [p.registration_id, `${p.name || '—'}${p.organisation ? ` (${p.organisation})` : ''}`];
    replace(adding, h('h2', {}, t('tt.add')),
      form({id: 'add-form', class: 'inline-form'}, [
        select('buyer', t('tt.buyer'), buyers.map(named), '', {id: 'add-buyer'}),
        select('supplier', t('tt.supplier'), suppliers.map(named), '', {id: 'add-supplier'}),
        select('place', t('tt.place'), freePlaces(blocks, meetings), '', {id: 'add-place'}),
        submit(t('tt.add'), {id: 'add-submit'}),
      ], async (v) => {
        const [slot, table] = v.place.split('|');
        await post(`/events/${id}/meetings`, {slot_id: slot, table: Number(table), buyer_registration_id: v.buyer, supplier_registration_id: v.supplier});
        await load();
        announce(t('tt.added'));
      }));
  }

  function draw() {
    replace(area, meetings.length || blocks.length ? grid(blocks, meetings, open) : h('p', {class: 'empty'}, t('tt.nothing')));
    drawAdd();
  }
  people = await all(`/events/${id}/participants`);
  await load();
}
