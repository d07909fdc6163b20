// An organisation for its members: profile, members, its needs and the interests received.

import {h, replace, announce} from './dom.js';
import {t, label, stamp} from './i18n.js';
import {api, get, post, all} from './api.js';
import {form, input, submit, action} from './forms.js';
import {table, badge} from './table.js';

export const name = 'organisation';

export async function render(app, params) {
  const id = params.organisation;
  const [o, needs] = await Promise.all([
    get(`/organisations/${id}`),
    all(`/needs?organisation=${id}`),
  ]);
  const membersArea = h('div', {});
  const interests = (await Promise.all(needs.map((n) => get(`/needs/${n.id}/interests`)
    .then((list) => list.map((i) => ({...i, need: n.title})))
    .catch(() => [])))).flat();
  app.append(
    h('h1', {}, o.name),
    h('section', {'aria-labelledby': 'profile-title'},
      h('h2', {id: 'profile-title'}, t('org.profile')),
      h('dl', {class: 'facts'},
        h('dt', {}, t('org.kind')), h('dd', {}, label('orgkind', o.kind)),
        h('dt', {}, t('org.siret')), h('dd', {}, o.siret || '—'),
        h('dt', {}, t('org.website')), h('dd', {}, o.website ? h('a', {href: o.website, rel: 'noopener'}, o.website) : '—'),
        h('dt', {}, t('org.description')), h('dd', {}, o.description || '—'))),
    h('section', {'aria-labelledby': 'needs-title'},
      h('div', {class: 'title-row'},
        h('h2', {id: 'needs-title'}, t('org.needs')),
        o.kind === 'public_buyer' ? h('a', {class: 'button primary', href: `#/organisations/${id}/needs/new`, id: 'new-need'}, t('org.new_need')) : null),
      table({
        caption: t('org.needs_caption'), id: 'needs', rows: needs,
        columns: [
          {label: t('need.title'), header: true, cell: (n) => h('a', {href: `#/needs/${n.id}`}, n.title)},
          {label: t('need.category'), cell: (n) => n.category_label},
          {label: t('need.status'), cell: (n) => badge(label('status', n.status), n.status)},
          {label: t('need.event'), cell: (n) => (!n.event_id ? '—' : n.event_accepted ? '✓' : t('org.event_proposed'))},
        ],
      })),
    h('section', {'aria-labelledby': 'interests-title'},
      h('h2', {id: 'interests-title'}, t('org.interests')),
      table({
        caption: t('org.interests_caption'), id: 'interests', rows: interests,
        columns: [
          {label: t('org.structure'), header: true, cell: (i) => i.organisation_name},
          {label: t('org.need'), cell: (i) => i.need},
          {label: t('org.message'), cell: (i) => i.message || '—'},
          {label: t('org.contact'), cell: (i) => (i.contact
            ? h('span', {}, i.contact.name, h('br', {}),
              h('a', {href: `mailto:${i.contact.email}`}, i.contact.email),
              i.contact.phone ? [h('br', {}), h('a', {href: `tel:${i.contact.phone.replace(/\s/g, '')}`}, i.contact.phone)] : null)
            : t('org.no_contact'))},
          {label: t('org.received'), cell: (i) => stamp(i.created_at)},
        ],
      })),
    h('section', {'aria-labelledby': 'members-title'},
      h('h2', {id: 'members-title'}, t('org.members')),
      membersArea,
      h('h3', {}, t('org.add_member')),
      form({id: 'member-form', class: 'inline-form'}, [
        input('email', t('org.member_email'), {id: 'member-email', type: 'email', required: true, autocomplete: 'off'}),
        submit(t('org.add_member'), {id: 'member-add'}),
      ], async (v, el) => {
        await post(`/organisations/${id}/members`, {email: v.email});
        el.reset();
        await showMembers();
        announce(t('org.member_added'));
      })));
  async function showMembers() {
    const members = await get(`/organisations/${id}/members`).catch(() => []);
    replace(membersArea, table({
      caption: t('org.members_caption'), id: 'members', rows: members,
      columns: [
        {label: t('org.member_name'), header: true, cell: (m) => m.name},
        {label: t('org.member_email'), cell: (m) => m.email || '—'},
        {label: t('org.role'), cell: (m) => label('role', m.role)},
        {label: t('org.actions'), cell: (m) => (members.length > 1
          ? action(t('org.remove_member'), async () => {
            await api('DELETE', `/organisations/${id}/members/${m.user_id}`);
            await showMembers();
            announce(t('org.member_removed'));
          }, {class: 'danger', 'aria-label': t('org.remove_member_named', {name: m.name})})
          : '—')},
      ],
    }));
  }
  await showMembers();
}
