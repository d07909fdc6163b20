// The JSON API client: one fetch wrapper (`request`, which the participant's page uses too)
// and the console's calls on it. The console's bearer token lives in sessionStorage (this tab
// only, gone when it closes), never in a URL; a 401 brings back the sign-in form over the
// screen, then the request is sent again.

const KEY = 'matinale.console.token';
let token = sessionStorage.getItem(KEY);
let askSignIn = null; // () => Promise<void>, set by the app

export function setToken(value) {
  token = value;
  if (value) sessionStorage.setItem(KEY, value);
  else sessionStorage.removeItem(KEY);
}

export function hasToken() {
  return !!token;
}

export function onUnauthorized(handler) {
  askSignIn = handler;
}

/** An answer of the API other than 2xx: `status` and the problem+json body. */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  /** `{field: message}` of a 422. */
  fields() {
    const out = {};
    for (const e of this.problem.errors || []) out[e.field] = e.message;
    return out;
  }
}

/**
 * One call of the JSON API, shared by the console and the participant's page; it never throws.
 * `request('GET', '/api/v1/…', {token, body, accept, ifMatch, blob})` → `{status, ok, data,
 * headers}` (`contentType` sends `body` as it is, e.g. a CSV file): `data` is the parsed JSON (a JSON answer), the text (another), a Blob (`blob`), or
 * null (204); `status` 0 when the server could not be reached (`error` says why). The token goes
 * in the Authorization header only; no cookie, no cache, no Referer.
 */
export async function request(method, path, opts = {}) {
  const headers = {Accept: opts.accept || 'application/json', ...(opts.headers || {})};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.ifMatch) headers['If-Match'] = opts.ifMatch;
  const init = {method, headers, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer'};
  if (opts.body !== undefined) {
    // `contentType`: the body (a File, a text) is sent as it is, not as JSON (a CSV upload).
    headers['Content-Type'] = opts.contentType || 'application/json';
    init.body = opts.contentType ? opts.body : JSON.stringify(opts.body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    return {status: 0, ok: false, data: null, headers: new Headers(), error};
  }
  const type = response.headers.get('Content-Type') || '';
  let data = null;
  try {
    if (response.status === 204) data = null;
    else if (opts.blob) data = await response.blob();
    else if (/json/.test(type)) data = await response.json();
    else data = await response.text();
  } catch { /* an unreadable body */ }
  return {status: response.status, ok: response.ok, data, headers: response.headers};
}

/**
 * api('GET', '/events/…') → the parsed JSON (null for 204), or the text with another `accept`;
 * the console's token, and its sign-in form on a 401. Options: `accept`, `headers`, `contentType`.
 */
export async function api(method, path, body, options = {}) {
  for (let attempt = 0; ; attempt++) {
    const r = await request(method, `/api/v1${path}`, {...options, token, body});
    if (r.status === 401 && !path.startsWith('/auth/') && askSignIn && attempt < 2) {
      await askSignIn();
      continue;
    }
    if (r.status === 0) throw r.error;
    if (!r.ok) throw new ApiError(r.status, r.data && typeof r.data === 'object' ? r.data : null);
    return r.data;
  }
}

export const get = (path, options) => api('GET', path, undefined, options);
export const post = (path, body = {}, options) => api('POST', path, body, options);
export const patch = (path, body, options) => api('PATCH', path, body, options);

/** Every item of a list, page after page (200 a page). */
export async function all(path) {
  const items = [];
  const sep = path.includes('?') ? '&' : '?';
  for (let page = 1; ; page++) {
    const list = await get(`${path}${sep}per_page=200&page=${page}`);
    items.push(...list.items);
    if (items.length >= list.total || list.items.length === 0) return items;
  }
}

/** Query string of the defined values of `params`. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Saves `text` as a file (CSV exports fetched with the Authorization header). */
export function download(text, name, type) {
  const url = URL.createObjectURL(new Blob([text], {type}));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
