// Tables: a caption, header cells with scope, rows built by each column's `cell`; a pager.

import {h} from './dom.js';
import {t} from './i18n.js';

/**
 * table({caption, columns: [{label, cell(row) → node|string, class, header}], rows, id, empty,
 * rowAttrs, hideCaption}); `hideCaption` when a heading just above says the same.
 */
export function table({caption, columns, rows, id, empty, rowAttrs, hideCaption}) {
  if (!rows.length) return h('p', {class: 'empty', id}, empty || t('table.empty'));
  const body = h('tbody');
  const fragment = document.createDocumentFragment();
  for (const row of rows) {
    const tr = h('tr', rowAttrs ? rowAttrs(row) : null);
    for (const c of columns) {
      const value = c.cell(row);
      tr.append(h(c.header ? 'th' : 'td', {class: c.class, scope: c.header ? 'row' : null}, value));
    }
    fragment.append(tr);
  }
  body.append(fragment);
  return h('div', {class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption},
    h('table', {id},
      h('caption', {class: hideCaption ? 'visually-hidden' : null}, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col', class: c.class}, c.label)))),
      body));
}

/** « Page 2 of 5 » with previous/next buttons calling `go(page)`. */
export function pager({page, per_page: perPage, total}, go, id = 'pager') {
  const last = Math.max(1, Math.ceil(total / perPage));
  return h('nav', {class: 'pager', 'aria-label': t('table.pages'), id},
    h('button', {type: 'button', disabled: page <= 1, onclick: () => go(page - 1)}, t('table.previous')),
    h('span', {'aria-live': 'polite'}, t('table.page', {page, last, total})),
    h('button', {type: 'button', disabled: page >= last, onclick: () => go(page + 1)}, t('table.next')));
}

/** A small status badge. */
export function badge(text, kind) {
  return h('span', {class: `badge badge-${kind || 'plain'}`}, text);
}
