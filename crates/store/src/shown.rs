//! What others are shown of a registration: the inputs of `matinale_domain::partner::shown_to`
//! read from the rows (name, consent, category, organisation, whether its claim is confirmed),
//! so that every view (timetable, agendas, meetings, participants, mails, calendars, reports)
//! asks the one rule with the same facts.

use std::collections::{HashMap, HashSet};

use matinale_domain::partner::{shown_to, PartyFacts, PartyView, Viewer};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entity::{organisation, registration};
use crate::error::Error;

const CHUNK: usize = 500;

/// The registrations among `rows` whose organisation claim is confirmed: approved (kept on the
/// row), or confirmed by the other evidence `claims` reads.
pub(crate) async fn confirmed_claims(
    db: &impl ConnectionTrait,
    rows: &[&registration::Model],
) -> Result<HashSet<Uuid>, Error> {
    let mut confirmed: HashSet<Uuid> = rows
        .iter()
        .filter(|r| r.organisation_id.is_some() && r.organisation_confirmed_at.is_some())
        .map(|r| r.id)
        .collect();
    let open: Vec<(Uuid, Uuid, &str, bool)> = rows
        .iter()
        .filter(|r| !confirmed.contains(&r.id))
        .filter_map(|r| {
            r.organisation_id
                .map(|o| (r.id, o, r.email.as_str(), r.email_verified_at.is_some()))
        })
        .collect();
    let claims: Vec<(Uuid, &str, bool)> = open.iter().map(|(_, o, e, v)| (*o, *e, *v)).collect();
    let by_evidence = crate::claims::confirmed_by_evidence(db, &claims).await?;
    confirmed.extend(
        open.iter()
            .zip(by_evidence)
            .filter(|(_, c)| *c)
            .map(|((id, _, _, _), _)| *id),
    );
    Ok(confirmed)
}

/// The names of the organisations `ids`.
pub(crate) async fn organisation_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>, Error> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort();
    ids.dedup();
    let mut names = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        for o in organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            names.insert(o.id, o.name);
        }
    }
    Ok(names)
}

/// The facts of registrations, read once for many views.
pub(crate) struct Facts {
    confirmed: HashSet<Uuid>,
    names: HashMap<Uuid, String>,
}

impl Facts {
    /// Reads what the rule needs of `rows` besides the rows themselves.
    pub(crate) async fn load(db: &impl ConnectionTrait, rows: &[&registration::Model]) -> Result<Self, Error> {
        Ok(Self {
            confirmed: confirmed_claims(db, rows).await?,
            names: organisation_names(db, rows.iter().filter_map(|r| r.organisation_id)).await?,
        })
    }

    /// Whether `r`'s claim to its organisation is confirmed.
    pub(crate) fn confirmed(&self, r: &registration::Model) -> bool {
        self.confirmed.contains(&r.id)
    }

    /// The organisation of `r` if its claim is confirmed.
    pub(crate) fn confirmed_organisation(&self, r: &registration::Model) -> Option<String> {
        r.organisation_id
            .filter(|_| self.confirmed(r))
            .and_then(|o| self.names.get(&o).cloned())
    }

    /// What `viewer` may see of `r` (see `matinale_domain::partner`).
    pub(crate) fn view(&self, r: &registration::Model, viewer: Viewer) -> PartyView {
        shown_to(
            facts_of(
                r,
                self.names
                    .get(&r.organisation_id.unwrap_or_default())
                    .map(String::as_str),
                self.confirmed(r),
            ),
            viewer,
        )
    }
}

/// The rule's input for the row `r`, whose organisation is named `organisation`.
pub(crate) fn facts_of<'a>(
    r: &'a registration::Model,
    organisation: Option<&'a str>,
    confirmed: bool,
) -> PartyFacts<'a> {
    PartyFacts {
        first_name: &r.first_name,
        last_name: &r.last_name,
        share_contact: r.share_contact,
        category: r.category.get(),
        organisation: r.organisation_id.and(organisation.or(Some(""))),
        organisation_confirmed: confirmed,
    }
}
