//! Expressions of interest of ESS structures in needs, by a member of the structure or through
//! a registration that speaks for it, and the meeting wishes they imply for the scheduler.

use std::collections::{BTreeMap, HashMap};

use matinale_domain::need::{
    interest_registration, Interest, InterestContact, InterestWish, Need, NeedStatus, INTEREST_WISH_PRIORITY,
};
use matinale_domain::organisation::{Organisation, OrganisationKind};
use matinale_domain::partner::contact_shown_to_partner;
use matinale_domain::user::Actor;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::{get, get_visible, invalid, may_edit};
use crate::database::Clocked;
use crate::database::Store;
use crate::entity::{need, need_interest, registration};
use crate::error::Error;
use crate::registrations::Credential;
use crate::shown::{facts_of, Facts};

/// Records that the ESS structure `organisation_id`, of which `actor` is a member, is interested
/// in an open need; one interest per structure and need (409 for a second one).
pub async fn add_interest(
    store: &Store,
    need_id: Uuid,
    actor: &Actor,
    organisation_id: Uuid,
    message: String,
) -> Result<Interest, Error> {
    let author = Author::Member { actor, organisation_id };
    express(store, need_id, author, message).await
}

/// Records the interest of the ESS structure a registration speaks for (its
/// `organisation_id`, confirmed: else a 422 on `registration_id`, so that nobody can take the
/// structure's place by typing its id) in an open need of the registration's event. `who` is
/// the holder of the registration's manage token, or an organiser of its event; anyone else
/// gets 404. Member and registrant interests share one rule: one per structure and need (409).
pub async fn add_registrant_interest(
    store: &Store,
    need_id: Uuid,
    who: &Credential,
    registration_id: Uuid,
    message: String,
) -> Result<Interest, Error> {
    express(store, need_id, Author::Registrant { who, registration_id }, message).await
}

/// Who says a structure is interested.
#[derive(Clone, Copy)]
enum Author<'a> {
    /// A member of the structure, signed in.
    Member { actor: &'a Actor, organisation_id: Uuid },
    /// The holder of a registration (or an organiser of its event), for the structure it
    /// speaks for.
    Registrant { who: &'a Credential, registration_id: Uuid },
}

/// Records an interest in the need `need_id` (as its author may see it), in one transaction.
async fn express(store: &Store, need_id: Uuid, author: Author<'_>, message: String) -> Result<Interest, Error> {
    let message = &message;
    store
        .write(|txn| {
            Box::pin(async move {
                let viewer = match author {
                    Author::Member { actor, .. } => Some(actor),
                    Author::Registrant { who, .. } => who.actor(),
                };
                let need = get_visible(txn, need_id, viewer).await?;
                let (org, registration_id) = match author {
                    Author::Member { actor, organisation_id } => {
                        (member_structure(txn, actor, organisation_id).await?, None)
                    }
                    Author::Registrant { who, registration_id } => (
                        registrant_structure(txn, &need, who, registration_id).await?,
                        Some(registration_id),
                    ),
                };
                let created_by = viewer.map(|a| a.user_id);
                insert_interest(txn, &need, org, registration_id, created_by, message.clone()).await
            })
        })
        .await
}

/// The ESS structure `organisation_id`, if `actor` is a member of it.
async fn member_structure(
    db: &impl ConnectionTrait,
    actor: &Actor,
    organisation_id: Uuid,
) -> Result<Organisation, Error> {
    let org = ess_structure(
        db,
        organisation_id,
        ("organisation_id", "unknown", "no organisation has this id"),
        ("organisation_id", "invalid", "interests come from ESS structures"),
    )
    .await?;
    if !crate::organisations::may_edit(&org, actor) {
        return Err(Error::Forbidden);
    }
    Ok(org)
}

/// The ESS structure the registration `registration_id` speaks for, if `who` may speak for the
/// registration.
async fn registrant_structure(
    db: &impl ConnectionTrait,
    need: &Need,
    who: &Credential,
    registration_id: Uuid,
) -> Result<Organisation, Error> {
    let mut registration = crate::credential::authorised(db, registration_id, who)
        .await?
        .into_registration(None);
    crate::claims::settle_claims(db, std::slice::from_mut(&mut registration)).await?;
    let organisation_id = interest_registration(&registration, need.fields.event_id)?;
    ess_structure(
        db,
        organisation_id,
        (
            "registration_id",
            "no_organisation",
            "the registration's organisation no longer exists",
        ),
        (
            "registration_id",
            "organisation_kind",
            "the registration's organisation is not an ESS structure",
        ),
    )
    .await
}

/// Writes an interest of `org` in `need` once the caller's right to speak for `org` is settled:
/// the need must be open and the structure not yet interested.
async fn insert_interest(
    txn: &impl Clocked,
    need: &Need,
    org: Organisation,
    registration_id: Option<Uuid>,
    created_by: Option<Uuid>,
    message: String,
) -> Result<Interest, Error> {
    if need.status != NeedStatus::Open {
        return Err(Error::Conflict(format!("the need is {}, not open", need.status)));
    }
    let taken = need_interest::Entity::find()
        .filter(need_interest::Column::NeedId.eq(need.id))
        .filter(need_interest::Column::OrganisationId.eq(org.id))
        .one(txn)
        .await?
        .is_some();
    let already = || Error::Conflict("this structure has already expressed interest in this need".into());
    if taken {
        return Err(already());
    }
    let model = need_interest::ActiveModel {
        id: Set(Uuid::now_v7()),
        need_id: Set(need.id),
        organisation_id: Set(org.id),
        registration_id: Set(registration_id),
        created_by: Set(created_by),
        message: Set(message),
        created_at: Set(txn.now()),
    }
    .insert(txn)
    .await
    .map_err(|e| match Error::from(e) {
        // Two requests at once: the unique index decides.
        Error::Conflict(_) => already(),
        other => other,
    })?;
    Ok(to_interest(model, org.fields.name, None))
}

/// Withdraws an interest in a need: by its author (the manage token of the registration it
/// came through), a member of its structure, or an organiser of the need's event (or an
/// admin); anyone else, or an interest of another need, is not found.
pub async fn withdraw_interest(store: &Store, need_id: Uuid, interest_id: Uuid, who: &Credential) -> Result<(), Error> {
    store
        .write(|txn| {
            Box::pin(async move {
                let interest = need_interest::Entity::find_by_id(interest_id)
                    .filter(need_interest::Column::NeedId.eq(need_id))
                    .one(txn)
                    .await?
                    .ok_or(Error::NotFound)?;
                let allowed = match who {
                    Credential::Registrant(own) => interest.registration_id == Some(*own),
                    Credential::User(actor) => {
                        let member = match crate::organisations::get(txn, interest.organisation_id).await {
                            Ok(org) => crate::organisations::may_edit(&org, actor),
                            Err(Error::NotFound) => false,
                            Err(e) => return Err(e),
                        };
                        let organiser = match get(txn, need_id).await?.fields.event_id {
                            Some(event_id) => crate::events::get(txn, event_id).await?.is_organised_by(actor),
                            None => actor.is_admin(),
                        };
                        member || organiser
                    }
                };
                if !allowed {
                    return Err(Error::NotFound);
                }
                need_interest::Entity::delete_by_id(interest_id).exec(txn).await?;
                Ok(())
            })
        })
        .await
}

/// The interests in a need, oldest first; for those who may edit the need (the buyer side).
pub async fn interests(db: &impl ConnectionTrait, need_id: Uuid, actor: &Actor) -> Result<Vec<Interest>, Error> {
    let need = get_visible(db, need_id, Some(actor)).await?;
    if !may_edit(db, &need, Some(actor)).await? {
        return Err(Error::Forbidden);
    }
    let rows = need_interest::Entity::find()
        .filter(need_interest::Column::NeedId.eq(need_id))
        .order_by_asc(need_interest::Column::CreatedAt)
        .order_by_asc(need_interest::Column::Id)
        .all(db)
        .await?;
    let contacts = contacts(db, &rows).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let org = crate::organisations::get(db, row.organisation_id).await?;
        let contact = row.registration_id.and_then(|r| contacts.get(&r).cloned());
        out.push(to_interest(row, org.fields.name, contact));
    }
    Ok(out)
}

/// The meeting wishes implied by interests in the needs of an event: from each interested ESS
/// structure (and the registration the interest came through, if any) to the buyer, at
/// priority 2. The scheduler reads them beside explicit wishes.
pub async fn wishes_for_event(db: &impl ConnectionTrait, event_id: Uuid) -> Result<Vec<InterestWish>, Error> {
    let needs: BTreeMap<Uuid, Uuid> = need::Entity::find()
        .filter(need::Column::EventId.eq(event_id))
        // A buyer's proposal is not at the event until its organisers accept it.
        .filter(need::Column::EventAcceptedAt.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.organisation_id))
        .collect();
    let rows = need_interest::Entity::find()
        .filter(need_interest::Column::NeedId.is_in(needs.keys().copied().collect::<Vec<_>>()))
        .order_by_asc(need_interest::Column::CreatedAt)
        .order_by_asc(need_interest::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            needs.get(&row.need_id).map(|buyer| InterestWish {
                need_id: row.need_id,
                from_organisation_id: row.organisation_id,
                from_registration_id: row.registration_id,
                to_organisation_id: *buyer,
                priority: INTEREST_WISH_PRIORITY,
            })
        })
        .collect())
}

/// A field error: the field, its code and the message.
type Refusal = (&'static str, &'static str, &'static str);

/// The ESS structure `organisation_id`, an interest's author: `unknown` when there is no such
/// organisation, `not_ess` when it is of another kind.
async fn ess_structure(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
    unknown: Refusal,
    not_ess: Refusal,
) -> Result<Organisation, Error> {
    let refuse = |(field, code, message): Refusal| invalid(field, code, message);
    let org = match crate::organisations::get(db, organisation_id).await {
        Err(Error::NotFound) => return Err(refuse(unknown)),
        other => other?,
    };
    if org.fields.kind != OrganisationKind::EssStructure {
        return Err(refuse(not_ess));
    }
    Ok(org)
}

/// The contacts the buyer may see of the registrations `rows` came through: only those the
/// partner rule allows ([`contact_shown_to_partner`]: consent and a confirmed claim).
async fn contacts(
    db: &impl ConnectionTrait,
    rows: &[need_interest::Model],
) -> Result<HashMap<Uuid, InterestContact>, Error> {
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.registration_id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let regs = registration::Entity::find()
        .filter(registration::Column::Id.is_in(ids))
        .all(db)
        .await?;
    let refs: Vec<&registration::Model> = regs.iter().collect();
    let facts = Facts::load(db, &refs).await?;
    Ok(regs
        .iter()
        .filter(|r| contact_shown_to_partner(facts_of(r, None, facts.confirmed(r))))
        .map(|r| {
            let contact = InterestContact {
                name: format!("{} {}", r.first_name.trim(), r.last_name.trim()),
                email: r.email.clone(),
                phone: r.phone.clone(),
            };
            (r.id, contact)
        })
        .collect())
}

fn to_interest(row: need_interest::Model, organisation_name: String, contact: Option<InterestContact>) -> Interest {
    Interest {
        id: row.id,
        need_id: row.need_id,
        organisation_id: row.organisation_id,
        organisation_name,
        registration_id: row.registration_id,
        message: row.message,
        created_at: row.created_at,
        contact,
    }
}
