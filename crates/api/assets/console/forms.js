// Forms: labelled controls, submission with the API's field errors shown next to the fields.

import {h, announce} from './dom.js';
import {t} from './i18n.js';
import {ApiError} from './api.js';

let counter = 0;

/** A labelled control: `input(name, label, {type, value, required, …})`. */
export function input(name, label, attrs = {}) {
  const id = attrs.id || `f-${name.replace(/\W/g, '-')}-${++counter}`;
  const control = attrs.multiline
    ? h('textarea', {id, name, rows: 3, ...without(attrs, 'multiline', 'hint')})
    : h('input', {id, name, type: 'text', ...without(attrs, 'hint')});
  if (attrs.multiline && attrs.value) control.value = attrs.value;
  return wrap(id, name, label, control, attrs.hint);
}

/** A labelled select of `[value, text]` options. */
export function select(name, label, options, value, attrs = {}) {
  const id = attrs.id || `f-${name.replace(/\W/g, '-')}-${++counter}`;
  const control = h('select', {id, name, ...attrs},
    options.map(([v, text]) => h('option', {value: v, selected: String(v) === String(value ?? '')}, text)));
  return wrap(id, name, label, control);
}

/** A labelled checkbox. */
export function checkbox(name, label, checked, attrs = {}) {
  const id = attrs.id || `f-${name}-${++counter}`;
  return h('div', {class: 'field field-check', dataset: {field: name}},
    h('input', {id, name, type: 'checkbox', checked, ...attrs}),
    h('label', {for: id}, label),
    h('p', {class: 'field-error', id: `${id}-error`, hidden: true}));
}

function wrap(id, name, label, control, hint) {
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', {class: 'field', dataset: {field: name}},
    h('label', {for: id}, label),
    hint ? h('p', {class: 'hint', id: hintId}, hint) : null,
    control,
    h('p', {class: 'field-error', id: `${id}-error`, hidden: true}));
}

function without(attrs, ...keys) {
  const out = {...attrs};
  for (const k of keys) delete out[k];
  return out;
}

/** The values of a form's named controls: text as trimmed strings, checkboxes as booleans. */
export function values(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    out[el.name] = el.type === 'checkbox' ? el.checked : el.value.trim();
  }
  return out;
}

/**
 * A form whose submission calls `submit(values)`; an ApiError's field errors are shown next
 * to their fields (422) or as one message, and the first error gets the focus.
 */
export function form(attrs, children, submit) {
  const errorBox = h('p', {class: 'notice notice-error', role: 'alert', hidden: true});
  const el = h('form', {novalidate: true, ...attrs}, errorBox, children);
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(el, errorBox);
    const button = el.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    try {
      await submit(values(el), el);
    } catch (error) {
      showError(el, errorBox, error);
    } finally {
      if (button) button.disabled = false;
    }
  });
  return el;
}

function clearErrors(form, box) {
  box.hidden = true;
  for (const p of form.querySelectorAll('.field-error')) { p.hidden = true; p.textContent = ''; }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
}

function showError(form, box, error) {
  if (!(error instanceof ApiError)) {
    box.textContent = t('error.network');
    box.hidden = false;
    box.focus();
    throw error;
  }
  const fields = error.fields();
  let first = null;
  const unplaced = [];
  for (const [field, message] of Object.entries(fields)) {
    const wrapper = findField(form, field);
    if (!wrapper) { unplaced.push(`${field}: ${message}`); continue; }
    const p = wrapper.querySelector('.field-error');
    const control = wrapper.querySelector('input, select, textarea');
    p.textContent = message;
    p.hidden = false;
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-describedby', p.id);
      first = first || control;
    }
  }
  if (unplaced.length || !first) {
    box.textContent = [error.message, ...unplaced].join(' — ');
    box.hidden = false;
  }
  announce(error.message, 'error');
  (first || box).focus();
}

function findField(form, field) {
  const names = [field, field.split('.').pop(), field.replace(/\[\d+\]/g, '')];
  for (const name of names) {
    const el = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    if (el) return el;
  }
  return null;
}

/** A submit button. */
export function submit(label, attrs = {}) {
  return h('button', {type: 'submit', class: 'primary', ...attrs}, label);
}

/** A button that runs `action` and shows its error. */
export function action(label, run, attrs = {}) {
  const button = h('button', {type: 'button', ...attrs}, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await run();
    } catch (error) {
      announce(error.message || String(error), 'error');
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

// Times: the API answers them in the event's zone with its offset ("2026-12-07T09:00:00+01:00");
// the form shows the wall-clock time of that zone and sends it back with the zone's offset.

/** `datetime-local` value of an RFC 3339 time given in the event's zone. */
export function localInput(iso) {
  return iso ? iso.slice(0, 16) : '';
}

function offsetMinutes(utcMillis, zone) {
  const parts = {};
  for (const p of new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(utcMillis))) parts[p.type] = p.value;
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return Math.round((wall - utcMillis) / 60000);
}

/** RFC 3339 of a `datetime-local` value read as a wall-clock time of `zone`. */
export function zoned(value, zone) {
  if (!value) return null;
  const [date, time] = value.split('T');
  const [y, mo, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, d, hh, mm);
  let offset = offsetMinutes(wall, zone);
  offset = offsetMinutes(wall - offset * 60000, zone);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date}T${pad(hh)}:${pad(mm)}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A number field's value, or null when empty. */
export function number(value) {
  return value === '' || value === undefined ? null : Number(value);
}
