// After the event: the report of an event or a series — figures, the chart (the API's SVG,
// parsed as XML, never as HTML) and the CSV.

import {h, append} from './dom.js';
import {t, label, num} from './i18n.js';
import {get, download} from './api.js';
import {action} from './forms.js';
import {table} from './table.js';
import {tabs} from './events.js';

export const name = 'report';

/** The API's SVG chart as a node of this document (DOMParser in XML mode: no script runs). */
function chart(text) {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (root.nodeName !== 'svg') return h('p', {}, '—');
  for (const s of root.querySelectorAll('script, foreignObject')) s.remove();
  const node = document.importNode(root, true);
  node.setAttribute('role', 'img');
  node.setAttribute('aria-labelledby', 'chart-title');
  node.classList.add('chart');
  return node;
}

export async function render(app, params) {
  const path = params.event ? `/events/${params.event}/report` : `/series/${params.series}/report`;
  const report = await get(path);
  const svgText = await get(path, {accept: 'image/svg+xml'});
  const r = report;
  const categories = Object.entries(r.registrations.by_category);
  const statuses = [...new Set(categories.flatMap(([, s]) => Object.keys(s)))];
  append(app, [
    h('h1', {}, t('rep.title', {title: r.title})),
    params.event ? tabs(params.event, '/report') : null,
    h('div', {class: 'actions'}, action(t('rep.csv'), async () => {
      download(await get(path, {accept: 'text/csv'}), 'bilan.csv', 'text/csv');
    }, {id: 'report-csv'})),
    h('section', {'aria-labelledby': 'chart-title'},
      h('h2', {id: 'chart-title'}, t('rep.chart')),
      h('div', {id: 'report-chart', class: 'chart-box'}, chart(svgText))),
    h('section', {'aria-labelledby': 'figures-title', id: 'report-figures'},
      h('h2', {id: 'figures-title'}, t('rep.figures')),
      h('p', {}, t('rep.attendance', {...r.attendance, rate: num(Math.round(r.attendance.rate * 1000) / 10)})),
      h('p', {}, t('rep.meetings', r.meetings)),
      h('p', {}, t('rep.funnel', r.funnel)),
      h('p', {}, t('rep.needs', r.needs)),
      h('p', {}, t('rep.outcomes', {amount: r.outcomes.amount_eur, unreported: r.outcomes.unreported})),
      table({
        caption: t('rep.by_category'), id: 'report-registrations', rows: categories,
        columns: [
          {label: t('reg.category'), header: true, cell: ([c]) => label('category', c)},
          ...statuses.map((s) => ({label: label('status', s), class: 'num', cell: ([, by]) => num(by[s] || 0)})),
        ],
      }))]);
}
