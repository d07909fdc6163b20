// The directory import for organisers (issue 25): upload an organisations CSV file (SIRENE
// extract, a chamber's list, our export), check it first (dry run), then import it; the
// report of created, updated, unchanged and refused lines.

import {h, replace, announce} from './dom.js';
import {t, label, num} from './i18n.js';
import {post, query} from './api.js';
import {form, select, submit, action} from './forms.js';
import {table} from './table.js';

export const name = 'import';

const KINDS = ['ess_structure', 'public_buyer', 'partner', 'company'];

function summary(r) {
  return {created: r.created, updated: r.updated, unchanged: r.unchanged, rejected: r.rejected.length};
}

function rejectedTable(rejected) {
  if (!rejected.length) return null;
  return table({
    caption: t('imp.rejected'), id: 'import-rejected', rows: rejected,
    columns: [
      {label: t('inv.line'), class: 'num', header: true, cell: (r) => num(r.line)},
      {label: t('imp.field'), cell: (r) => r.field},
      {label: t('inv.reason'), cell: (r) => r.reason},
    ],
  });
}

export async function render(app) {
  const report = h('div', {id: 'import-report', 'aria-live': 'polite'});
  let file = null;
  const kind = select('kind', t('imp.kind'), KINDS.map((k) => [k, label('orgkind', k)]), 'ess_structure', {id: 'import-kind'});
  const fileInput = h('input', {type: 'file', id: 'import-file', name: 'file', accept: '.csv,text/csv',
    onchange: (e) => { file = e.target.files[0] || null; run.disabled = true; replace(report); }});
  const path = (dryRun) => `/organisations/import${query({kind: kind.querySelector('select').value, dry_run: dryRun || null})}`;
  const run = action(t('imp.run'), async () => {
    const done = await post(path(false), file, {contentType: 'text/csv'});
    replace(report, h('p', {class: 'notice notice-ok', id: 'import-done'}, t('imp.done', summary(done))), rejectedTable(done.rejected));
    run.disabled = true;
    announce(t('imp.done', summary(done)));
  }, {id: 'import-run', class: 'primary', disabled: true});
  app.append(
    h('h1', {}, t('imp.title')),
    form({id: 'import-upload'}, [
      h('div', {class: 'field', dataset: {field: 'body'}},
        h('label', {for: 'import-file'}, t('imp.file')),
        fileInput,
        h('p', {class: 'field-error', id: 'import-file-error', hidden: true})),
      kind,
      h('div', {class: 'actions'}, submit(t('imp.dry_run'), {id: 'import-dry-run'}), run),
    ], async () => {
      if (!file) { announce(t('inv.no_file'), 'error'); fileInput.focus(); return; }
      const dry = await post(path(true), file, {contentType: 'text/csv'});
      replace(report, h('p', {class: 'notice', id: 'import-dry'}, t('imp.report', summary(dry))), rejectedTable(dry.rejected));
      run.disabled = dry.created + dry.updated === 0;
      announce(t('imp.report', summary(dry)));
    }),
    report);
}
