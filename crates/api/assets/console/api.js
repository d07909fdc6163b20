// The JSON API client: one fetch wrapper. The bearer token lives in sessionStorage (this tab
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
 * api('GET', '/events/…') → the parsed JSON (null for 204).
 * Options: `accept` (then the text is answered), `headers`, `raw` (the Response),
 * `contentType` (the body, a File or text, is sent as it is with that type).
 */
export async function api(method, path, body, options = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = {Accept: options.accept || 'application/json', ...(options.headers || {})};
    if (token) headers.Authorization = `Bearer ${token}`;
    // `contentType`: the body is sent as it is (a CSV file), not as JSON.
    if (body !== undefined) headers['Content-Type'] = options.contentType || 'application/json';
    const response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : (options.contentType ? body : JSON.stringify(body)),
      credentials: 'omit',
      cache: 'no-store',
    });
    if (response.status === 401 && !path.startsWith('/auth/') && askSignIn && attempt < 2) {
      await askSignIn();
      continue;
    }
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch { /* not JSON */ }
      throw new ApiError(response.status, problem);
    }
    if (options.raw) return response;
    if (response.status === 204) return null;
    if (options.accept && options.accept !== 'application/json') return response.text();
    return response.json();
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
