// The DOM, built with createElement and textContent only (never from HTML text). Shared by the
// console and the participant's page.

/**
 * h('p', {class: 'x', onclick: f}, 'text', child…): an element with attributes and children
 * (strings, nodes, arrays of them); `text` sets its textContent.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'for') el.htmlFor = value;
    else if (key === 'value') el.value = value;
    else if (key === 'checked') el.checked = !!value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends strings (as text), nodes and nested arrays; skips null and false. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** An SVG element (the charts). */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
  return append(el, children);
}

/** Says `text` to screen readers (the live region) and shows it in the flash. */
export function announce(text, kind = 'ok') {
  const live = document.getElementById('live');
  if (live) live.textContent = text;
  const flash = document.getElementById('flash');
  if (flash) {
    flash.className = `notice notice-${kind}`;
    flash.textContent = text;
    flash.hidden = false;
  }
}

/** The flash area of a screen, where announcements show. */
export function flash() {
  return h('p', {id: 'flash', class: 'notice', hidden: true, role: 'status'});
}

let later = null;

/** Announces `text` once the next screen is drawn (after a change of the URL's fragment). */
export function announceLater(text) {
  later = text;
}

/** Says what `announceLater` kept, if anything. */
export function announcePending() {
  if (later) announce(later);
  later = null;
}
