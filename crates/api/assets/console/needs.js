// A buyer's need: create it from the taxonomy, edit it, publish, close or reopen it, attach
// it to an event; the interests it received.

import {h, replace, announce, announceLater} from './dom.js';
import {t, label, stamp} from './i18n.js';
import {get, post, patch, all} from './api.js';
import {form, input, select, checkbox, submit, action, number} from './forms.js';
import {table, badge} from './table.js';

export const name = 'need';

function needBody(v) {
  return {
    title: v.title, description: v.description, category: v.category,
    amount_min_eur: number(v.amount_min_eur), amount_max_eur: number(v.amount_max_eur),
    expected_tender_on: v.expected_tender_on || null, reserved_market: v.reserved_market,
    social_clause: v.social_clause, environmental_criterion: v.environmental_criterion,
    cities: v.cities ? v.cities.split(',').map((c) => c.trim()).filter(Boolean) : [],
    event_id: v.event_id || null,
  };
}

export async function render(app, params) {
  const [categories, events] = await Promise.all([get('/needs/categories'), all('/events')]);
  const need = params.need ? await get(`/needs/${params.need}`) : null;
  const organisationId = need ? need.organisation_id : params.organisation;
  const n = need || {reserved_market: 'none', cities: [], social_clause: false, environmental_criterion: false};
  const area = h('div', {});
  const fields = [
    input('title', t('need.title'), {value: n.title, required: true, id: 'need-title'}),
    input('description', t('need.description'), {value: n.description, multiline: true, id: 'need-description'}),
    select('category', t('need.category'), categories.map((c) => [c.code, c.label]), n.category, {id: 'need-category'}),
    input('amount_min_eur', t('need.amount_min'), {type: 'number', min: 0, value: n.amount_min_eur, id: 'need-min'}),
    input('amount_max_eur', t('need.amount_max'), {type: 'number', min: 0, value: n.amount_max_eur, id: 'need-max'}),
    input('expected_tender_on', t('need.tender'), {type: 'date', value: n.expected_tender_on, id: 'need-tender'}),
    select('reserved_market', t('need.reserved'), ['none', 'l2113_12', 'l2113_13'].map((r) => [r, label('reserved', r)]), n.reserved_market, {id: 'need-reserved'}),
    checkbox('social_clause', t('need.social'), n.social_clause, {id: 'need-social'}),
    checkbox('environmental_criterion', t('need.environmental'), n.environmental_criterion, {id: 'need-environmental'}),
    input('cities', t('need.cities'), {value: n.cities.join(', '), id: 'need-cities'}),
    select('event_id', t('need.event'), [['', t('form.none')], ...events.map((e) => [e.id, e.title])], n.event_id, {id: 'need-event'}),
  ];
  const back = h('p', {}, h('a', {href: `#/organisations/${organisationId}`}, t('need.back')));
  if (!need) {
    app.append(h('h1', {}, t('need.new_title')), back,
      form({id: 'need-form', class: 'grid-form'}, [...fields, h('div', {class: 'actions'}, submit(t('need.create'), {id: 'need-save'}))], async (v) => {
        const created = await post('/needs', {organisation_id: organisationId, ...needBody(v)});
        announceLater(t('need.created'));
        location.hash = `#/needs/${created.id}`;
      }));
    document.getElementById('need-title').focus();
    return;
  }
  async function setStatus(status) {
    await patch(`/needs/${need.id}`, {status});
    const fresh = await get(`/needs/${need.id}`);
    Object.assign(need, fresh);
    replace(statusLine, statusView());
    announce(t('need.saved'));
  }
  const statusLine = h('div', {class: 'actions', id: 'need-status'});
  function statusView() {
    return [
      badge(label('status', need.status), need.status), ' ',
      need.status === 'draft' || need.status === 'closed'
        ? action(need.status === 'draft' ? t('need.publish') : t('need.reopen'), () => setStatus('open'), {id: 'need-publish', class: 'primary'})
        : null,
      need.status === 'open' ? action(t('need.close'), () => setStatus('closed'), {id: 'need-close'}) : null,
    ];
  }
  replace(statusLine, statusView());
  const interests = await get(`/needs/${need.id}/interests`).catch(() => []);
  app.append(h('h1', {}, t('need.edit_title', {title: need.title})), back, statusLine,
    form({id: 'need-form', class: 'grid-form'}, [...fields, h('div', {class: 'actions'}, submit(t('need.save'), {id: 'need-save'}))], async (v) => {
      Object.assign(need, await patch(`/needs/${need.id}`, needBody(v)));
      announce(t('need.saved'));
    }),
    h('h2', {}, t('need.interests')),
    area);
  replace(area, table({
    caption: t('need.interests_caption'), id: 'need-interests', rows: interests,
    columns: [
      {label: t('org.structure'), header: true, cell: (i) => i.organisation_name},
      {label: t('org.message'), cell: (i) => i.message || '—'},
      {label: t('org.received'), cell: (i) => stamp(i.created_at)},
    ],
  }));
}
