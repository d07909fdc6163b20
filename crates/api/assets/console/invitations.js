// Invitations of an event (issue 25): upload a CSV list, check it (dry run: what would be
// sent and which lines are left out, with why), send it; the invitations with their status and
// the counts (invited, registered, unsubscribed, by category), and the CSV export.

import {h, replace, announce} from './dom.js';
import {t, label, num, stamp, setZone} from './i18n.js';
import {get, post, query, download} from './api.js';
import {form, submit, action} from './forms.js';
import {table, pager, badge} from './table.js';
import {tabs} from './events.js';

export const name = 'invitations';

/** The table of the lines a report left out (shared with the import screen's shape). */
function skippedTable(skipped) {
  if (!skipped.length) return null;
  return table({
    caption: t('inv.skipped'), id: 'invitations-skipped', rows: skipped,
    columns: [
      {label: t('inv.line'), class: 'num', header: true, cell: (s) => num(s.line)},
      {label: t('inv.email'), cell: (s) => s.email || '—'},
      {label: t('inv.reason'), cell: (s) => s.reason},
    ],
  });
}

export async function render(app, params) {
  const id = params.event;
  const event = await get(`/events/${id}`);
  setZone(event.timezone);
  const state = {page: 1, per_page: 50};
  const report = h('div', {id: 'invitations-report', 'aria-live': 'polite'});
  const counts = h('div', {id: 'invitations-counts'});
  const results = h('div', {id: 'invitations-area'});
  let file = null;
  const fileInput = h('input', {type: 'file', id: 'invitations-file', name: 'file', accept: '.csv,text/csv',
    onchange: (e) => { file = e.target.files[0] || null; send.disabled = true; replace(report); }});
  const send = action(t('inv.send'), async () => {
    const done = await post(`/events/${id}/invitations`, file, {contentType: 'text/csv'});
    replace(report, h('p', {class: 'notice notice-ok', id: 'invitations-sent'},
      t('inv.sent', {queued: done.queued, skipped: done.skipped.length})), skippedTable(done.skipped));
    send.disabled = true;
    announce(t('inv.sent', {queued: done.queued, skipped: done.skipped.length}));
    state.page = 1;
    await show();
  }, {id: 'invitations-send', class: 'primary', disabled: true});
  const csv = action(t('inv.csv'), async () => {
    const text = await get(`/events/${id}/invitations`, {accept: 'text/csv'});
    download(text, 'invitations.csv', 'text/csv');
  }, {id: 'invitations-csv'});

  app.append(
    h('h1', {}, t('inv.title', {title: event.title})),
    tabs(id, '/invitations'),
    form({id: 'invitations-upload'}, [
      h('div', {class: 'field', dataset: {field: 'body'}},
        h('label', {for: 'invitations-file'}, t('inv.file')),
        fileInput,
        h('p', {class: 'field-error', id: 'invitations-file-error', hidden: true})),
      h('div', {class: 'actions'}, submit(t('inv.dry_run'), {id: 'invitations-dry-run'}), send),
    ], async () => {
      if (!file) { announce(t('inv.no_file'), 'error'); fileInput.focus(); return; }
      const dry = await post(`/events/${id}/invitations${query({dry_run: true})}`, file, {contentType: 'text/csv'});
      replace(report, h('p', {class: 'notice', id: 'invitations-dry'},
        t('inv.report', {queued: dry.queued, skipped: dry.skipped.length})), skippedTable(dry.skipped));
      send.disabled = dry.queued === 0;
      announce(t('inv.report', {queued: dry.queued, skipped: dry.skipped.length}));
    }),
    report,
    h('h2', {id: 'invitations-counts-title'}, t('inv.counts')),
    counts,
    h('div', {class: 'actions'}, csv),
    results);

  async function show() {
    const list = await get(`/events/${id}/invitations${query(state)}`);
    const c = list.counts;
    const rows = [{category: undefined, invited: c.invited, registered: c.registered, unsubscribed: c.unsubscribed},
      ...c.by_category];
    replace(counts, table({
      caption: t('inv.counts'), hideCaption: true, id: 'invitations-counts-table', rows,
      columns: [
        {label: t('inv.category'), header: true,
          cell: (r) => r.category === undefined ? t('inv.all') : (r.category ? label('category', r.category) : t('inv.none'))},
        {label: t('inv.invited'), class: 'num', cell: (r) => num(r.invited)},
        {label: t('inv.registered'), class: 'num', cell: (r) => num(r.registered)},
        {label: t('inv.unsubscribed'), class: 'num', cell: (r) => num(r.unsubscribed)},
      ],
    }));
    replace(results,
      table({
        caption: `${t('inv.caption')} (${list.total})`, id: 'invitations', rows: list.items,
        columns: [
          {label: t('inv.person'), header: true, cell: (i) => [
            `${i.first_name} ${i.last_name}`.trim() || i.email, h('br'), h('span', {class: 'small'}, i.email)]},
          {label: t('inv.category'), cell: (i) => label('category', i.category)},
          {label: t('inv.status'), cell: (i) => badge(label('status', i.status), i.status === 'registered' ? 'confirmed' : i.status)},
          {label: t('out.when'), cell: (i) => stamp(i.created_at)},
        ],
      }),
      list.total > list.per_page ? pager(list, async (page) => { state.page = page; await show(); }, 'invitations-pager') : null);
  }
  await show();
}
