// Mail that failed (GET /outbox?status=failed), and the other states on request.

import {h, replace} from './dom.js';
import {t, label, num, stamp} from './i18n.js';
import {get, query} from './api.js';
import {select} from './forms.js';
import {table, pager, badge} from './table.js';

export const name = 'outbox';

export async function render(app) {
  const state = {status: 'failed', page: 1};
  const area = h('div', {});
  const filter = select('status', t('out.status'), ['failed', 'queued', 'sending', 'sent'].map((s) => [s, label('status', s)]), 'failed', {id: 'outbox-status'});
  filter.querySelector('select').addEventListener('change', (e) => { state.status = e.target.value; state.page = 1; show(); });
  app.append(h('h1', {}, t('out.title')), filter, area);
  async function show() {
    const list = await get(`/outbox${query({status: state.status, page: state.page})}`);
    replace(area, table({
      caption: t('out.caption'), id: 'outbox', rows: list.items,
      columns: [
        {label: t('out.to'), header: true, cell: (m) => m.to_email},
        {label: t('out.kind'), cell: (m) => m.kind},
        {label: t('reg.status'), cell: (m) => badge(label('status', m.status), m.status)},
        {label: t('out.attempts'), class: 'num', cell: (m) => num(m.attempts)},
        {label: t('out.error'), cell: (m) => m.last_error || '—'},
        {label: t('out.when'), cell: (m) => stamp(m.created_at)},
      ],
    }), list.total > list.per_page ? pager(list, (p) => { state.page = p; show(); }) : null);
  }
  await show();
}
