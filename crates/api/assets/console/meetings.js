// Speed meetings of an event: blocks with table labels, who takes part with the wishes each
// made and received and their presence on the day (marked present or absent here), running the
// scheduler (optionally filling idle tables with people open to anyone), the draft's figures,
// publishing; on the day, re-planning the rest of the block from who came.

import {h, replace, announce} from './dom.js';
import {t, hm, when, num, stamp, setZone} from './i18n.js';
import {get, post, api, all, ApiError} from './api.js';
import {form, input, submit, action, checkbox, localInput, zoned, number} from './forms.js';
import {table, badge} from './table.js';
import {tabs} from './events.js';

export const name = 'meetings';

function blocks(event, list, reload) {
  const zone = event.timezone;
  return h('section', {'aria-labelledby': 'blocks-title'},
    h('h2', {id: 'blocks-title'}, t('meet.blocks')),
    table({
      caption: t('meet.blocks_caption'), id: 'blocks', rows: list,
      columns: [
        {label: t('meet.block_when'), header: true, cell: (b) => `${when(b.starts_at)}–${hm(b.ends_at)}`},
        {label: t('meet.slot_minutes'), class: 'num', cell: (b) => `${b.slot_minutes} + ${b.break_minutes}`},
        {label: t('meet.tables'), cell: (b) => (b.table_labels || []).length ? b.table_labels.join(', ') : num(b.tables)},
        {label: t('meet.slots'), class: 'num', cell: (b) => num(b.slots.length)},
        {label: t('reg.actions'), cell: (b) => action(t('meet.delete'), async () => {
          await api('DELETE', `/meeting-blocks/${b.id}`);
          await reload();
        }, {'aria-label': t('meet.delete_block', {from: hm(b.starts_at)}), class: 'small-button danger'})},
      ],
    }),
    form({id: 'block-form', class: 'inline-form'}, [
      input('starts_at', t('form.starts_at'), {type: 'datetime-local', required: true, id: 'block-starts', value: localInput(event.starts_at)}),
      input('ends_at', t('form.ends_at'), {type: 'datetime-local', required: true, id: 'block-ends'}),
      input('slot_minutes', t('meet.slot_minutes'), {type: 'number', min: 1, value: 10, id: 'block-slot'}),
      input('break_minutes', t('meet.break_minutes'), {type: 'number', min: 0, value: 0, id: 'block-break'}),
      input('tables', t('meet.tables'), {type: 'number', min: 1, value: 4, id: 'block-tables'}),
      input('table_labels', t('meet.table_labels'), {id: 'block-labels'}),
      submit(t('meet.add_block'), {id: 'block-add'}),
    ], async (v) => {
      const labels = v.table_labels ? v.table_labels.split(',').map((s) => s.trim()).filter(Boolean) : null;
      const block = await post(`/events/${event.id}/meeting-blocks`, {
        starts_at: zoned(v.starts_at, zone), ends_at: zoned(v.ends_at, zone),
        slot_minutes: number(v.slot_minutes), break_minutes: number(v.break_minutes), tables: number(v.tables),
        table_labels: labels,
      });
      await reload();
      announce(t('meet.block_added', {n: block.slots.length}));
    }));
}

/** Slot id → slot, over the blocks. */
function slotIndex(blockList) {
  const out = {};
  for (const b of blockList) for (const s of b.slots) out[s.id] = s;
  return out;
}

/** What is known of someone's presence: checked in, an organiser's mark, an arrival or a leaving said. */
export function presenceText(p, slots) {
  if (!p) return t('presence.not_arrived');
  const parts = [];
  const from = p.from_slot_id && slots[p.from_slot_id];
  const until = p.until_slot_id && slots[p.until_slot_id];
  if (p.marked_present === false) parts.push(t('presence.marked_absent'));
  else if (p.marked_present === true) parts.push(t('presence.marked_present'));
  else if (p.checked_in) parts.push(t('presence.checked_in'));
  else if (!from) parts.push(t('presence.not_arrived'));
  if (from) parts.push(t('presence.arrives', {time: hm(from.starts_at)}));
  if (until) parts.push(t('presence.leaves', {time: hm(until.ends_at)}));
  return parts.join(' · ');
}

function presenceKind(p) {
  if (!p) return 'plain';
  if (p.marked_present === false) return 'cancelled';
  if (p.marked_present === true || p.checked_in) return 'attended';
  return p.from_slot_id ? 'waitlisted' : 'plain';
}

async function participants(eventId, slots, reload) {
  const [people, presences] = await Promise.all([all(`/events/${eventId}/participants`), all(`/events/${eventId}/presences`)]);
  const wishes = await Promise.all(people.map((p) => get(`/registrations/${p.registration_id}/wishes`).catch(() => ({made: [], received: []}))));
  const presence = Object.fromEntries(presences.map((p) => [p.registration_id, p]));
  async function mark(p, present) {
    await post(`/registrations/${p.registration_id}/presence`, {present});
    await reload();
    const row = document.querySelector(`#participants tr[data-registration="${p.registration_id}"] button`);
    if (row) row.focus();
    const who = p.name || p.organisation || t('presence.someone');
    announce(t(present === null ? 'presence.unmarked' : present ? 'presence.marked_present_done' : 'presence.marked_absent_done', {name: who}));
  }
  const actions = (p) => {
    const who = p.name || p.organisation || t('presence.someone');
    const marked = presence[p.registration_id] ? presence[p.registration_id].marked_present : null;
    return h('div', {class: 'row-actions'},
      marked === true ? null : action(t('presence.mark_present'), () => mark(p, true),
        {class: 'small-button', dataset: {present: p.registration_id}, 'aria-label': t('presence.mark_present_of', {name: who})}),
      marked === false ? null : action(t('presence.mark_absent'), () => mark(p, false),
        {class: 'small-button danger', dataset: {absent: p.registration_id}, 'aria-label': t('presence.mark_absent_of', {name: who})}),
      marked === null || marked === undefined ? null : action(t('presence.unmark'), () => mark(p, null),
        {class: 'small-button', dataset: {unmark: p.registration_id}, 'aria-label': t('presence.unmark_of', {name: who})}));
  };
  return h('section', {'aria-labelledby': 'participants-title'},
    h('h2', {id: 'participants-title'}, t('meet.participants')),
    table({
      caption: t('meet.participants_caption'), id: 'participants', rows: people.map((p, i) => ({...p, wishes: wishes[i]})),
      rowAttrs: (p) => ({dataset: {registration: p.registration_id}}),
      columns: [
        {label: t('meet.name'), header: true, cell: (p) => [p.name || '—', p.organisation ? ` (${p.organisation})` : '']},
        {label: t('reg.category'), cell: (p) => t(`category.${p.category}`)},
        {label: t('meet.takes_part'), cell: (p) => (p.takes_part ? t('meet.yes') : t('meet.no'))},
        {label: t('meet.made'), class: 'num', cell: (p) => num(p.wishes.made.length)},
        {label: t('meet.received'), class: 'num', cell: (p) => num(p.wishes.received.length)},
        {label: t('presence.title'), cell: (p) => badge(presenceText(presence[p.registration_id], slots), presenceKind(presence[p.registration_id]))},
        {label: t('reg.actions'), cell: actions},
      ],
    }));
}

/** The first slot still to start, or null. */
function nextSlot(slots) {
  const now = Date.now();
  return Object.values(slots)
    .filter((s) => Date.parse(s.starts_at) > now)
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at))[0] || null;
}

/** A re-plan's answer: the counts and time, then the meetings cancelled and added. */
function replanView(answer, meetings, from) {
  const byId = Object.fromEntries(meetings.map((m) => [m.id, m]));
  const line = (id) => {
    const m = byId[id];
    return h('li', {}, m ? t('replan.meeting', {time: hm(m.slot_starts_at), table: m.table_label || m.table, buyer: m.buyer_name || '—', supplier: m.supplier_name || '—'}) : id);
  };
  const list = (key, ids, listId) => (ids.length
    ? [h('h3', {}, t(key, {n: num(ids.length)})), h('ul', {class: 'plain', id: listId}, ids.map(line))]
    : null);
  return [
    h('p', {id: 'replan-figures', class: 'notice notice-ok'}, t('replan.done', {
      from: from ? hm(from.starts_at) : '—', kept: num(answer.kept.length),
      cancelled: num(answer.cancelled.length), added: num(answer.added.length), millis: num(answer.millis), notified: num(answer.notified),
    })),
    list('replan.cancelled', answer.cancelled, 'replan-cancelled'),
    list('replan.added', answer.added, 'replan-added'),
  ];
}

function replanSection(eventId, slots, after) {
  const result = h('div', {id: 'replan-result', 'aria-live': 'polite'});
  const next = nextSlot(slots);
  const button = next
    ? action(t('replan.run', {time: hm(next.starts_at)}), async () => {
      if (!confirm(t('replan.confirm', {time: hm(next.starts_at)}))) return;
      const answer = await post(`/events/${eventId}/schedule/replan`, {});
      const meetings = await all(`/events/${eventId}/meetings`);
      replace(result, replanView(answer, meetings, slots[answer.from_slot_id]));
      await after();
      announce(t('replan.announce', {cancelled: answer.cancelled.length, added: answer.added.length}));
    }, {id: 'replan', class: 'primary'})
    : h('p', {class: 'empty'}, t('replan.nothing'));
  return h('section', {'aria-labelledby': 'replan-title'},
    h('h2', {id: 'replan-title'}, t('replan.title')),
    h('p', {class: 'meta'}, t('replan.intro')),
    h('div', {class: 'actions'}, button),
    result);
}

function draftView(draft) {
  if (!draft) return h('p', {id: 'draft', class: 'empty'}, t('meet.no_draft'));
  const s = draft.stats;
  return h('div', {id: 'draft'},
    h('p', {id: 'draft-ratio'}, t('meet.ratio', {meetings: num(s.meetings), objective: num(s.objective), bound: num(Math.round(s.upper_bound)), ratio: num(Math.round(s.ratio * 1000) / 10)})),
    h('p', {id: 'draft-spread'}, t('meet.spread', s.meetings_per_participant)),
    s.open_to_any_meetings === undefined ? null : h('p', {id: 'draft-open'}, t('meet.open_to_any_meetings', {n: num(s.open_to_any_meetings)})),
    table({
      caption: t('meet.figures_caption'), id: 'draft-wishes', rows: s.wishes_by_priority,
      columns: [
        {label: t('meet.priority'), header: true, cell: (w) => String(w.priority)},
        {label: t('meet.wished'), class: 'num', cell: (w) => num(w.wished)},
        {label: t('meet.met'), class: 'num', cell: (w) => num(w.met)},
      ],
    }),
    draft.published_at ? h('p', {}, t('meet.published_at', {when: stamp(draft.published_at)})) : null);
}

export async function render(app, params) {
  const id = params.event;
  const event = await get(`/events/${id}`);
  setZone(event.timezone);
  const blocksArea = h('div', {});
  const draftArea = h('div', {});
  const replanArea = h('div', {});
  const peopleArea = h('div', {});
  let slots = {};
  let fillIdle = false; // the option stays as chosen when the draft is drawn again
  async function loadPeople() {
    replace(peopleArea, await participants(id, slots, loadPeople));
  }
  async function loadBlocks() {
    const list = (await get(`/events/${id}/meeting-blocks?per_page=200`)).items;
    slots = slotIndex(list);
    replace(blocksArea, blocks(event, list, async () => { await loadBlocks(); await loadPeople(); }));
    replace(replanArea, replanSection(id, slots, loadDraft));
  }
  async function loadDraft() {
    let draft = null;
    try { draft = await get(`/events/${id}/schedule`); } catch (e) { if (!(e instanceof ApiError && e.status === 404)) throw e; }
    const fill = checkbox('fill_idle', t('meet.fill_idle'), fillIdle, {id: 'fill-idle', onchange: (e) => { fillIdle = e.target.checked; }});
    replace(draftArea,
      h('h2', {id: 'draft-title'}, t('meet.draft')),
      h('div', {class: 'actions'},
        fill,
        action(t('meet.run'), async () => {
          const d = await post(`/events/${id}/schedule`, {fill_idle: fill.querySelector('input').checked});
          await loadDraft();
          announce(t('meet.ran', {n: d.stats.meetings}));
        }, {id: 'run-schedule', class: 'primary'}),
        draft ? action(t('meet.publish'), async () => {
          const p = await post(`/events/${id}/schedule/publish`);
          await loadDraft();
          announce(t('meet.published', p));
        }, {id: 'publish-schedule'}) : null),
      h('p', {class: 'hint', id: 'fill-idle-hint'}, t('meet.fill_idle_hint')),
      draftView(draft));
    fill.querySelector('input').setAttribute('aria-describedby', 'fill-idle-hint');
  }
  app.append(h('h1', {}, t('meet.title', {title: event.title})), tabs(id, '/meetings'), blocksArea, draftArea, replanArea, peopleArea);
  await Promise.all([loadBlocks(), loadDraft()]);
  await loadPeople();
}
