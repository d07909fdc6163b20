// The check-in desk (works on a tablet): find a person by name, or take the text of the QR
// code of their confirmation mail — typed, or read by the camera where the browser has a
// BarcodeDetector.

import {h, replace, announce} from './dom.js';
import {t, label, setZone} from './i18n.js';
import {get, post, query} from './api.js';
import {form, input, submit, action} from './forms.js';
import {table, badge} from './table.js';
import {tabs} from './events.js';

export const name = 'check-in';

/** The check-in body for what was typed or scanned: a QR text, a manage link or token. */
function checkInBody(text) {
  const token = text.match(/mr_[\w-]+/);
  if (text.startsWith('matinale:')) return {qr: text};
  if (token) return {token: token[0]};
  return {qr: text};
}

export async function render(app, params) {
  const id = params.event;
  const event = await get(`/events/${id}`);
  setZone(event.timezone);
  const results = h('div', {id: 'checkin-results', 'aria-live': 'polite'});
  const counter = h('p', {id: 'checkin-count'});
  const video = h('video', {id: 'scanner', hidden: true, muted: true, playsinline: true, 'aria-label': t('ci.scan')});
  let stream = null;

  async function count() {
    const [confirmed, attended] = await Promise.all(['confirmed', 'attended'].map((status) => get(`/events/${id}/registrations${query({status, per_page: 1})}`)));
    counter.textContent = t('ci.counts', {attended: attended.total, expected: attended.total + confirmed.total});
  }

  async function arrived(registration) {
    const name = `${registration.person.first_name} ${registration.person.last_name}`;
    announce(t('ci.arrived', {name}));
    await count();
  }

  const qrForm = form({id: 'qr-form', class: 'inline-form'}, [
    input('qr', t('ci.qr'), {id: 'qr-text', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false'}),
    submit(t('ci.qr_submit'), {id: 'qr-submit'}),
  ], async (v) => {
    const r = await post(`/events/${id}/check-ins`, checkInBody(v.qr));
    document.getElementById('qr-text').value = '';
    await arrived(r);
    document.getElementById('qr-text').focus();
  });

  async function search(q) {
    const list = await get(`/events/${id}/registrations${query({q, per_page: 20})}`);
    const nameOf = (r) => `${r.person.first_name} ${r.person.last_name}`;
    replace(results, table({
      caption: t('ci.results'), id: 'checkin-table', rows: list.items,
      columns: [
        {label: t('reg.person'), header: true, cell: nameOf},
        {label: t('reg.category'), cell: (r) => label('category', r.category)},
        {label: t('reg.status'), cell: (r) => badge(label('status', r.status), r.status)},
        {label: t('reg.actions'), cell: (r) => (r.status === 'confirmed' || r.status === 'no_show')
          ? action(t('reg.checkin_short'), async () => {
            const done = await post(`/events/${id}/check-ins`, {registration_id: r.id});
            await arrived(done);
            await search(q);
          }, {'aria-label': t('reg.checkin', {name: nameOf(r)}), class: 'big-button', dataset: {checkin: r.id}})
          : null},
      ],
    }));
  }

  const camera = 'BarcodeDetector' in window && navigator.mediaDevices
    ? action(t('ci.scan'), async () => {
      if (stream) { stop(); return; }
      const detector = new window.BarcodeDetector({formats: ['qr_code']});
      stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}});
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      camera.textContent = t('ci.scan_stop');
      const tick = async () => {
        if (!stream) return;
        const codes = await detector.detect(video).catch(() => []);
        if (codes.length) {
          document.getElementById('qr-text').value = codes[0].rawValue;
          qrForm.requestSubmit();
          await new Promise((r) => setTimeout(r, 1500));
        }
        requestAnimationFrame(tick);
      };
      tick();
    }, {id: 'scan'})
    : h('p', {class: 'hint', id: 'scan'}, t('ci.no_camera'));

  function stop() {
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    video.hidden = true;
    if (camera.tagName === 'BUTTON') camera.textContent = t('ci.scan');
  }

  app.append(
    h('h1', {}, t('ci.title', {title: event.title})),
    tabs(id, '/check-in'),
    counter,
    h('div', {class: 'desk'},
      h('section', {class: 'card'},
        form({id: 'name-form', class: 'inline-form', role: 'search'}, [
          input('q', t('ci.search'), {type: 'search', id: 'checkin-q', autocomplete: 'off'}),
          submit(t('ci.find'), {id: 'checkin-find'}),
        ], (v) => search(v.q))),
      h('section', {class: 'card'}, qrForm, camera, video)),
    results);
  await count();
  document.getElementById('checkin-q').focus();
  return stop;
}
