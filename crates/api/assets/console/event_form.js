// Create or edit an event (times in the event's zone, venue, capacity and quotas,
// registration window, follow-up), publish or cancel it, and its programme.

import {h, replace, announce, announceLater} from './dom.js';
import {t, label, hm, when, setZone} from './i18n.js';
import {get, post, patch, all} from './api.js';
import {form, input, select, submit, action, values, localInput, zoned, number} from './forms.js';
import {table, badge} from './table.js';
import {tabs} from './events.js';

export const name = 'event';

const KINDS = ['matinale', 'forum', 'rencontre_filiere', 'webinaire', 'atelier', 'visite'];
const ITEM_KINDS = ['talk', 'quiz', 'testimony', 'stands', 'speed_meetings', 'break'];
const CATEGORIES = ['buyer', 'ess_structure', 'partner', 'visitor'];

function body(v, zone, creating) {
  const venue = v.venue_name || v.city || v.postcode
    ? {name: v.venue_name, address: v.address, postcode: v.postcode, city: v.city}
    : null;
  const quotas = {};
  for (const c of CATEGORIES) if (v[`quota_${c}`] !== '') quotas[c] = Number(v[`quota_${c}`]);
  const out = {
    kind: v.kind, title: v.title, description: v.description, timezone: zone,
    starts_at: zoned(v.starts_at, zone), ends_at: zoned(v.ends_at, zone),
    venue, online_url: v.online_url || null, capacity: number(v.capacity), quotas,
    registration_opens_at: zoned(v.registration_opens_at, zone),
    registration_closes_at: zoned(v.registration_closes_at, zone),
    follow_up_days: number(v.follow_up_days),
    series_id: v.series_id || null,
  };
  if (creating) for (const k of Object.keys(out)) if (out[k] === null) delete out[k];
  return out;
}

function eventForm(event, series, onSaved) {
  const e = event || {quotas: {}, timezone: 'Europe/Paris', kind: 'matinale', follow_up_days: 30};
  const zone = e.timezone;
  const v = e.venue || {};
  const zoneField = input('timezone', t('form.timezone'), {value: zone, id: 'event-timezone', autocomplete: 'off'});
  return form({id: 'event-form', class: 'grid-form'}, [
    h('fieldset', {},
      h('legend', {}, event ? t('tab.edit') : t('form.new_title')),
      select('kind', t('form.kind'), KINDS.map((k) => [k, label('kind', k)]), e.kind, {id: 'event-kind'}),
      input('title', t('form.title'), {value: e.title, required: true, id: 'event-title'}),
      input('description', t('form.description'), {value: e.description, multiline: true, id: 'event-description'}),
      select('series_id', t('form.series'), [['', t('form.none')], ...series.map((s) => [s.id, s.title])], e.series_id, {id: 'event-series'}),
      zoneField,
      input('starts_at', t('form.starts_at'), {type: 'datetime-local', value: localInput(e.starts_at), required: true, id: 'event-starts', hint: t('form.times_hint', {zone})}),
      input('ends_at', t('form.ends_at'), {type: 'datetime-local', value: localInput(e.ends_at), required: true, id: 'event-ends'})),
    h('fieldset', {},
      h('legend', {}, t('form.venue')),
      input('venue_name', t('form.venue_name'), {value: v.name, id: 'venue-name', 'data-field': 'venue.name'}),
      input('address', t('form.address'), {value: v.address, id: 'venue-address'}),
      input('postcode', t('form.postcode'), {value: v.postcode, id: 'venue-postcode', inputmode: 'numeric'}),
      input('city', t('form.city'), {value: v.city, id: 'venue-city'}),
      input('online_url', t('form.online_url'), {type: 'url', value: e.online_url, id: 'event-online'})),
    h('fieldset', {},
      h('legend', {}, t('form.quotas')),
      input('capacity', t('form.capacity'), {type: 'number', min: 1, value: e.capacity, required: true, id: 'event-capacity'}),
      CATEGORIES.map((c) => input(`quota_${c}`, label('category', c), {type: 'number', min: 0, value: e.quotas[c] ?? '', id: `quota-${c}`}))),
    h('fieldset', {},
      h('legend', {}, t('form.registration')),
      input('registration_opens_at', t('form.opens'), {type: 'datetime-local', value: localInput(e.registration_opens_at), id: 'event-opens'}),
      input('registration_closes_at', t('form.closes'), {type: 'datetime-local', value: localInput(e.registration_closes_at), id: 'event-closes'}),
      input('follow_up_days', t('form.follow_up'), {type: 'number', min: 0, value: e.follow_up_days, id: 'event-follow-up'})),
    h('div', {class: 'actions'}, submit(event ? t('form.save') : t('form.create'), {id: 'event-save'})),
  ], async (vals) => {
    const saved = event
      ? await patch(`/events/${event.id}`, body(vals, vals.timezone || zone, false))
      : await post('/events', body(vals, vals.timezone || zone, true));
    onSaved(saved);
  });
}

function programme(event, items, reload) {
  const zone = event.timezone;
  return h('section', {'aria-labelledby': 'programme-title'},
    h('h2', {id: 'programme-title'}, t('programme.title')),
    table({
      caption: t('programme.caption'), id: 'programme', rows: items,
      columns: [
        {label: t('programme.when'), cell: (i) => `${hm(i.starts_at)}–${hm(i.ends_at)}`},
        {label: t('programme.item'), header: true, cell: (i) => i.title},
        {label: t('programme.kind'), cell: (i) => label('item', i.kind)},
        {label: t('programme.speakers'), cell: (i) => i.speakers.join(', ')},
      ],
    }),
    form({id: 'programme-form', class: 'inline-form'}, [
      input('starts_at', t('form.starts_at'), {type: 'datetime-local', required: true, id: 'item-starts', value: localInput(event.starts_at)}),
      input('ends_at', t('form.ends_at'), {type: 'datetime-local', required: true, id: 'item-ends'}),
      input('title', t('programme.item'), {required: true, id: 'item-title'}),
      select('kind', t('programme.kind'), ITEM_KINDS.map((k) => [k, label('item', k)]), 'talk', {id: 'item-kind'}),
      input('speakers', t('programme.speakers'), {id: 'item-speakers'}),
      submit(t('programme.add'), {id: 'item-add'}),
    ], async (v) => {
      await post(`/events/${event.id}/programme`, {
        starts_at: zoned(v.starts_at, zone), ends_at: zoned(v.ends_at, zone), title: v.title, kind: v.kind,
        speakers: v.speakers ? v.speakers.split(',').map((s) => s.trim()).filter(Boolean) : [],
      });
      await reload();
      announce(t('programme.added'));
      document.getElementById('item-title').focus();
    }));
}

export async function render(app, params) {
  const series = (await get('/series?per_page=200')).items;
  if (!params.event) {
    app.append(h('h1', {}, t('form.new_title')), eventForm(null, series, (saved) => {
      announceLater(t('form.created'));
      location.hash = `#/events/${saved.id}`;
    }));
    document.getElementById('event-title').focus();
    return;
  }
  const id = params.event;
  const area = h('div', {});
  app.append(area);
  async function show(message) {
    const event = await get(`/events/${id}`);
  setZone(event.timezone);
    const items = await get(`/events/${id}/programme`);
    replace(area,
      h('h1', {id: 'event-heading'}, t('form.edit_title', {title: event.title})),
      tabs(id, ''),
      h('p', {class: 'meta'},
        badge(label('status', event.status), event.status), ' ',
        when(event.starts_at), ' · ',
        h('a', {href: `/e/${id}`, target: '_blank', rel: 'noopener'}, t('form.public_page'))),
      h('div', {class: 'actions'},
        event.status === 'draft' || event.status === 'closed'
          ? action(t('form.publish'), async () => { await post(`/events/${id}/publish`); await show(t('form.published')); }, {id: 'publish-event', class: 'primary'})
          : null,
        event.status !== 'cancelled'
          ? action(t('form.cancel_event'), async () => {
            if (!confirm(t('form.cancel_confirm'))) return;
            await post(`/events/${id}/cancel`);
            await show(t('form.cancelled'));
          }, {id: 'cancel-event', class: 'danger'})
          : null),
      eventForm(event, series, () => show(t('form.saved'))),
      programme(event, Array.isArray(items) ? items : items.items || [], () => show()));
    if (message) announce(message);
  }
  await show();
}
