// Speed meetings of an event: blocks with table labels, who takes part with the wishes each
// made and received, running the scheduler, the draft's figures, publishing.

import {h, replace, announce} from './dom.js';
import {t, hm, when, num, stamp, setZone} from './i18n.js';
import {get, post, api, all, ApiError} from './api.js';
import {form, input, submit, action, localInput, zoned, number} from './forms.js';
import {table} from './table.js';
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

async function participants(eventId) {
  const people = await all(`/events/${eventId}/participants`);
  const wishes = await Promise.all(people.map((p) => get(`/registrations/${p.registration_id}/wishes`).catch(() => ({made: [], received: []}))));
  return h('section', {'aria-labelledby': 'participants-title'},
    h('h2', {id: 'participants-title'}, t('meet.participants')),
    table({
      caption: t('meet.participants_caption'), id: 'participants', rows: people.map((p, i) => ({...p, wishes: wishes[i]})),
      columns: [
        {label: t('meet.name'), header: true, cell: (p) => [p.name || '—', p.organisation ? ` (${p.organisation})` : '']},
        {label: t('reg.category'), cell: (p) => t(`category.${p.category}`)},
        {label: t('meet.takes_part'), cell: (p) => (p.takes_part ? t('meet.yes') : t('meet.no'))},
        {label: t('meet.made'), class: 'num', cell: (p) => num(p.wishes.made.length)},
        {label: t('meet.received'), class: 'num', cell: (p) => num(p.wishes.received.length)},
      ],
    }));
}

function draftView(draft) {
  if (!draft) return h('p', {id: 'draft', class: 'empty'}, t('meet.no_draft'));
  const s = draft.stats;
  return h('div', {id: 'draft'},
    h('p', {id: 'draft-ratio'}, t('meet.ratio', {meetings: num(s.meetings), objective: num(s.objective), bound: num(Math.round(s.upper_bound)), ratio: num(Math.round(s.ratio * 1000) / 10)})),
    h('p', {id: 'draft-spread'}, t('meet.spread', s.meetings_per_participant)),
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
  const peopleArea = h('div', {});
  async function loadBlocks() {
    replace(blocksArea, blocks(event, (await get(`/events/${id}/meeting-blocks?per_page=200`)).items, loadBlocks));
  }
  async function loadDraft() {
    let draft = null;
    try { draft = await get(`/events/${id}/schedule`); } catch (e) { if (!(e instanceof ApiError && e.status === 404)) throw e; }
    replace(draftArea,
      h('h2', {id: 'draft-title'}, t('meet.draft')),
      h('div', {class: 'actions'},
        action(t('meet.run'), async () => {
          const d = await post(`/events/${id}/schedule`);
          await loadDraft();
          announce(t('meet.ran', {n: d.stats.meetings}));
        }, {id: 'run-schedule', class: 'primary'}),
        draft ? action(t('meet.publish'), async () => {
          const p = await post(`/events/${id}/schedule/publish`);
          await loadDraft();
          announce(t('meet.published', p));
        }, {id: 'publish-schedule'}) : null),
      draftView(draft));
  }
  app.append(h('h1', {}, t('meet.title', {title: event.title})), tabs(id, '/meetings'), blocksArea, draftArea, peopleArea);
  await Promise.all([loadBlocks(), loadDraft(), participants(id).then((s) => replace(peopleArea, s))]);
}
