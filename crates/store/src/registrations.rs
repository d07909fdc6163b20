//! Registrations, the use cases: register (with or without an `Idempotency-Key`), read one
//! with its history or the organisers' list, cancel (promoting the first waitlisted), check
//! in, mark no-shows, change details, approve a claim to an organisation, and the agenda.
//!
//! Each use case is one transaction, built from the nouns below it: `seats` (the seat rows and
//! promotion), `waitlist` (tickets and places), `rush` (the one-round-trip insert and the SQLite
//! group commit), `idempotency`, `tokens`, `credential` (who may see a registration),
//! `history`, `claims` and `notices` (mail). Their public items are re-exported here.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use matinale_domain::event::{Category, Event};
use matinale_domain::mail::MailKind;
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::registration::{
    NewRegistration, Registration, RegistrationDetails, RegistrationStatus, StatusChange,
};
use matinale_domain::user::Actor;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub use crate::claims::email_proven_by;
pub use crate::credential::Credential;
pub use crate::idempotency::{purge_idempotency, IdempotencyRequest, IDEMPOTENCY_HOURS};
pub use crate::receipt::{Outcome, Receipt, Registered};
pub use crate::seats::sync_seats;
pub use crate::tokens::{for_token, revoke_feed_token, rotate_feed_token, verify_email, LINK_RESEND_MINUTES};

use crate::claims::settle_claims;
use crate::credential::{authorised, load};
use crate::database::Clocked;
use crate::database::Store;
use crate::entity::registration;
use crate::entity::registration_history::Changer;
use crate::entity::text::Text;
use crate::error::Error;
use crate::history::record;
use crate::notices::mail;
use crate::rush::{insert_registration, register_in_group, unknown_organisation};
use crate::tokens::resend_link;

/// Filters of the organiser's list.
#[derive(Debug, Clone, Default)]
pub struct RegistrationFilter {
    /// Only this status.
    pub status: Option<RegistrationStatus>,
    /// Only this category.
    pub category: Option<Category>,
    /// Only those whose first name, last name or e-mail contains this (ASCII case ignored).
    pub q: Option<String>,
}

/// The registration and its history.
#[derive(Debug, Clone)]
pub struct RegistrationWithHistory {
    /// The registration.
    pub registration: Registration,
    /// Its state changes, oldest first.
    pub history: Vec<StatusChange>,
}

/// Registers `new` for the public event `event_id` if it takes registrations now (409 or 422
/// otherwise), in one transaction: the idempotency key, the row, a seat or a waiting-list
/// place, the history and the mail. A rush reads its event once per store instead of once
/// per registration ([`Store::remember_event`]); the registration itself checks that the event
/// still has the version read (see `rush::insert_registration`), and reads it again when it has
/// changed.
pub async fn register(
    store: &Store,
    event_id: Uuid,
    new: NewRegistration,
    idempotency: Option<IdempotencyRequest>,
) -> Result<Outcome, Error> {
    register_vouched(store, event_id, new, idempotency, None).await
}

/// Registers `new` through the invitation link whose secret is `invitation` (see
/// [`register`]): when the registered address is the invited one its mailbox is proven, and
/// when the registration names the organisation the organiser's list gave for it, its claim
/// is confirmed as by that organiser's approval, in the same transaction. A secret that is not
/// one of this event's invitations is a 422 on `invitation`.
pub async fn register_invited(
    store: &Store,
    event_id: Uuid,
    mut new: NewRegistration,
    idempotency: Option<IdempotencyRequest>,
    invitation: &str,
) -> Result<Outcome, Error> {
    let (proven, vouched_by) = crate::invitations::vouching(
        store,
        event_id,
        invitation,
        new.person.email.as_str(),
        new.organisation_id,
    )
    .await?;
    new.email_proven |= proven;
    register_vouched(store, event_id, new, idempotency, vouched_by).await
}

/// [`register`], the claim to the organisation confirmed by `vouched_by` when given.
async fn register_vouched(
    store: &Store,
    event_id: Uuid,
    new: NewRegistration,
    idempotency: Option<IdempotencyRequest>,
    vouched_by: Option<Uuid>,
) -> Result<Outcome, Error> {
    let store = store.clone();
    crate::run_to_completion(async move {
        let remembered = store.remembered_event(event_id);
        let mut read = remembered.is_none();
        let mut event = match remembered {
            Some(event) => event,
            None => read_event(&store, event_id).await?,
        };
        for _ in 0..3 {
            match matinale_domain::registration::check_open(&event, store.now()) {
                Ok(()) => match register_once(&store, &event, &new, idempotency.as_ref(), vouched_by).await {
                    // The event has changed since it was read: read it again.
                    Err(Error::Stale) => {}
                    done => return done,
                },
                Err(closed) if read => return Err(closed.into()),
                // Closed as remembered; refuse only on what the database holds now.
                Err(_) => {}
            }
            event = read_event(&store, event_id).await?;
            read = true;
        }
        Err(Error::Conflict(
            "the event kept changing while registering: try again".into(),
        ))
    })
    .await
}

/// Reads the public event `event_id` and remembers it for the next registrations.
async fn read_event(store: &Store, event_id: Uuid) -> Result<Event, Error> {
    let event = crate::events::get_public(store, event_id).await?;
    store.remember_event(event.clone());
    Ok(event)
}

/// Two PostgreSQL claims can deadlock when one locks a seat another just took (the lock
/// follows the row's update chain) and then waits for a free one: the database rolls one back,
/// and [`Store::write`] runs it again with a fresh snapshot.
async fn register_once(
    store: &Store,
    event: &Event,
    new: &NewRegistration,
    idempotency: Option<&IdempotencyRequest>,
    vouched_by: Option<Uuid>,
) -> Result<Outcome, Error> {
    if idempotency.is_none() && vouched_by.is_none() {
        // The common case. On PostgreSQL one statement, its own transaction, one round trip;
        // on SQLite one batch of statements in a transaction shared with other registrants.
        let inserted = if store.backend() == DbBackend::Postgres {
            store
                .write_statement(|| insert_registration(store.connection(), event, new, None, store.now()))
                .await
        } else {
            register_in_group(store, event.clone(), new.clone()).await
        };
        return match inserted {
            Err(Error::Conflict(_)) => Err(resend_link(store, event.id, new.person.email.as_str()).await),
            done => done.map(|r| Outcome::Created(Box::new(r))),
        };
    }
    // With a key: the key, the registration and the receipt kept for replays; through an
    // invitation naming its organisation: the registration and the claim confirmed. One
    // transaction.
    let duplicate = AtomicBool::new(false);
    let duplicate = &duplicate;
    let written = store
        .write(|txn| {
            Box::pin(async move {
                if let Some(idem) = idempotency {
                    if let Some(earlier) = crate::idempotency::claim(txn, idem).await? {
                        return Ok(Outcome::Replayed(earlier));
                    }
                }
                let mut registered = insert_registration(txn, event, new, None, txn.now())
                    .await
                    .inspect_err(|e| {
                        duplicate.store(matches!(e, Error::Conflict(_)), Ordering::Relaxed);
                    })?;
                if let (Some(by), Some(org)) = (vouched_by, new.organisation_id) {
                    confirm_vouched(txn, &registered.registration, by, org).await?;
                    registered.registration.organisation_confirmed = true;
                }
                if let Some(idem) = idempotency {
                    crate::idempotency::keep(txn, idem, &registered.receipt()).await?;
                }
                Ok(Outcome::Created(Box::new(registered)))
            })
        })
        .await;
    match written {
        Err(Error::Conflict(_)) if duplicate.load(Ordering::Relaxed) => {
            Err(resend_link(store, event.id, new.person.email.as_str()).await)
        }
        done => done,
    }
}

/// Confirms the claim of the registration `r` just written to organisation `org`, as the
/// organiser `by` whose invitation list named that organisation for its (proven) address: the
/// same record as an approval, kept in its history.
async fn confirm_vouched(txn: &impl Clocked, r: &Registration, by: Uuid, org: Uuid) -> Result<(), Error> {
    let now = txn.now();
    registration::change(r.id, now)
        .col_expr(registration::Column::OrganisationConfirmedAt, Expr::val(now))
        .col_expr(registration::Column::OrganisationConfirmedBy, Expr::val(by))
        .exec(txn)
        .await?;
    let reason = format!("speaks for organisation {org}: named by the organiser's invitation list");
    record(txn, r.id, Changer::User(by), Some(r.status), r.status, &reason).await
}

/// What a person's agenda shows: the event of the registration and, once speed meetings are
/// scheduled, the registration's meetings (added by the meetings use case).
#[derive(Debug, Clone)]
pub struct Agenda {
    /// The registration (its status decides whether the event shows as cancelled).
    pub registration: Registration,
    /// Its event.
    pub event: Event,
}

async fn agenda_of(db: &impl ConnectionTrait, m: registration::Model) -> Result<Agenda, Error> {
    let event = crate::events::get(db, m.event_id).await?;
    Ok(Agenda {
        registration: m.into_registration(None),
        event,
    })
}

/// The agenda of a registration, for its token holder or an organiser of its event.
pub async fn agenda(db: &impl ConnectionTrait, id: Uuid, who: &Credential) -> Result<Agenda, Error> {
    let m = authorised(db, id, who).await?;
    agenda_of(db, m).await
}

/// The agenda behind a calendar-feed token; unknown or revoked tokens are not found.
pub async fn agenda_for_feed(db: &impl ConnectionTrait, feed_token: &str) -> Result<Agenda, Error> {
    let m = crate::tokens::for_feed_token(db, feed_token).await?;
    agenda_of(db, m).await
}

/// One registration with its history, for its token holder or an organiser of its event.
pub async fn get(db: &impl ConnectionTrait, id: Uuid, who: &Credential) -> Result<RegistrationWithHistory, Error> {
    let m = authorised(db, id, who).await?;
    with_history(db, m).await
}

/// The registration of row `m`, with its history, once the caller is known to see it.
async fn with_history(db: &impl ConnectionTrait, m: registration::Model) -> Result<RegistrationWithHistory, Error> {
    let id = m.id;
    let position = crate::waitlist::position(db, &m).await?;
    let mut registration = m.into_registration(position);
    settle_claims(db, std::slice::from_mut(&mut registration)).await?;
    Ok(RegistrationWithHistory {
        registration,
        history: crate::history::of(db, id).await?,
    })
}

/// Confirms that a registration speaks for the organisation it names (see
/// `organisation_claim_confirmed`): by an organiser of its event or a member of that
/// organisation (or an admin), who then see the registration; anyone else gets 404. Approving
/// again changes nothing; the approval is kept in the history, and dropped if the registration
/// names another organisation later. Naming none is a 422 on `organisation_id`.
pub async fn approve_organisation(store: &Store, id: Uuid, actor: &Actor) -> Result<RegistrationWithHistory, Error> {
    store
        .write(|txn| Box::pin(approve_organisation_in(txn, id, actor)))
        .await
}

async fn approve_organisation_in(
    txn: &impl Clocked,
    id: Uuid,
    actor: &Actor,
) -> Result<RegistrationWithHistory, Error> {
    let m = load(txn, id).await?;
    let organiser = crate::events::get(txn, m.event_id).await?.is_organised_by(actor);
    let member = match m.organisation_id {
        Some(org) => match crate::organisations::get(txn, org).await {
            Ok(o) => crate::organisations::may_edit(&o, actor),
            Err(Error::NotFound) => false,
            Err(e) => return Err(e),
        },
        None => false,
    };
    if !organiser && !member {
        return Err(Error::NotFound);
    }
    let Some(org) = m.organisation_id else {
        return Err(matinale_domain::Error::field(
            "organisation_id",
            "required",
            "the registration names no organisation to confirm",
        )
        .into());
    };
    if m.organisation_confirmed_at.is_none() {
        let now = txn.now();
        registration::change(id, now)
            .col_expr(registration::Column::OrganisationConfirmedAt, Expr::val(now))
            .col_expr(registration::Column::OrganisationConfirmedBy, Expr::val(actor.user_id))
            .exec(txn)
            .await?;
        let status = m.status.get();
        let reason = format!("speaks for organisation {org}: approved");
        record(txn, id, Changer::User(actor.user_id), Some(status), status, &reason).await?;
    }
    with_history(txn, load(txn, id).await?).await
}

/// Changes the details of a registration; `change` computes them from the current ones.
pub async fn update_details(
    store: &Store,
    id: Uuid,
    who: &Credential,
    if_match: Option<i32>,
    change: impl FnOnce(&Registration) -> Result<RegistrationDetails, matinale_domain::Error> + Send,
) -> Result<RegistrationWithHistory, Error> {
    let mut change = Some(change);
    store
        .write(|txn| {
            let change = change.take();
            Box::pin(async move { update_details_in(txn, id, who, if_match, crate::database::once(change)?).await })
        })
        .await
}

/// [`update_details`] inside the caller's write.
pub(crate) async fn update_details_in(
    db: &impl Clocked,
    id: Uuid,
    who: &Credential,
    if_match: Option<i32>,
    change: impl FnOnce(&Registration) -> Result<RegistrationDetails, matinale_domain::Error>,
) -> Result<RegistrationWithHistory, Error> {
    let current = authorised(db, id, who).await?.into_registration(None);
    if if_match.is_some_and(|v| v != current.version) {
        return Err(Error::Stale);
    }
    let d = change(&current)?;
    let mut update = registration::Entity::update_many();
    if d.organisation_id != current.details.organisation_id {
        // An approval was for the organisation named then.
        update = update
            .col_expr(
                registration::Column::OrganisationConfirmedAt,
                Expr::val(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                registration::Column::OrganisationConfirmedBy,
                Expr::val(Option::<Uuid>::None),
            );
    }
    let written = update
        .col_expr(registration::Column::FirstName, Expr::val(d.first_name))
        .col_expr(registration::Column::LastName, Expr::val(d.last_name))
        .col_expr(registration::Column::Phone, Expr::val(d.phone))
        .col_expr(registration::Column::OrganisationId, Expr::val(d.organisation_id))
        .col_expr(registration::Column::Locale, Expr::val(Text(d.locale)))
        .col_expr(
            registration::Column::AccessibilityNeeds,
            Expr::val(d.accessibility_needs),
        )
        .col_expr(registration::Column::ShareContact, Expr::val(d.consents.share_contact))
        .col_expr(registration::Column::Version, Expr::val(current.version + 1))
        .col_expr(registration::Column::UpdatedAt, Expr::val(db.now()))
        .filter(registration::Column::Id.eq(id))
        .filter(registration::Column::Version.eq(current.version))
        .exec(db)
        .await
        .map_err(unknown_organisation)?;
    if written.rows_affected != 1 {
        return Err(Error::Stale);
    }
    get(db, id, who).await
}

/// Cancels a registration and, in the same transaction, gives its seat to the first
/// waitlisted person of its category (or of its seat pool).
pub async fn cancel(store: &Store, id: Uuid, who: &Credential) -> Result<RegistrationWithHistory, Error> {
    authorised(store, id, who).await?;
    // The promotion claims a seat like a registration does, so it can meet the same
    // PostgreSQL deadlock; the rolled-back cancellation simply runs again ([`Store::write`]).
    store.write(|txn| Box::pin(cancel_in(txn, id, who))).await
}

async fn cancel_in(txn: &impl Clocked, id: Uuid, who: &Credential) -> Result<RegistrationWithHistory, Error> {
    let reason = match who {
        Credential::User(_) => "cancelled by an organiser",
        Credential::Registrant(_) => "cancelled by the registrant",
    };
    if !withdraw(txn, id, who.changer(), reason, true).await? {
        let m = load(txn, id).await?;
        return Err(Error::Conflict(format!(
            "a {} registration cannot be cancelled",
            m.status
        )));
    }
    get(txn, id, who).await
}

/// Cancels registration `id` if it is confirmed or waitlisted (false otherwise, nothing done):
/// its seat goes to the first waitlisted person of its category (or pool), its meetings to
/// come are cancelled and their partners told, the change is kept in its history with
/// `reason`, and the person is mailed when `tell_person`.
pub(crate) async fn withdraw(
    txn: &impl Clocked,
    id: Uuid,
    by: Changer,
    reason: &str,
    tell_person: bool,
) -> Result<bool, Error> {
    // First statement a write (SQLite's writer lock at once); the status guard settles races.
    let cancelled = registration::change(id, txn.now())
        .col_expr(
            registration::Column::Status,
            Expr::val(Text(RegistrationStatus::Cancelled)),
        )
        .filter(registration::Column::Status.is_in([
            Text(RegistrationStatus::Confirmed),
            Text(RegistrationStatus::Waitlisted),
        ]))
        .exec(txn)
        .await?;
    if cancelled.rows_affected != 1 {
        return Ok(false);
    }
    let freed = crate::seats::free(txn, id).await?;
    let m = load(txn, id).await?;
    let from = if freed.is_some() {
        RegistrationStatus::Confirmed
    } else {
        crate::waitlist::leave(txn, m.event_id, m.category.get()).await?;
        RegistrationStatus::Waitlisted
    };
    record(txn, id, by, Some(from), RegistrationStatus::Cancelled, reason).await?;
    if tell_person {
        mail(
            txn,
            MailKind::RegistrationCancelled,
            &m,
            crate::outbox::MailDetails::default(),
        )
        .await?;
    }
    crate::cascade::cancel_for_registration(txn, id).await?;
    if let Some((pool, seat_no)) = freed {
        crate::seats::promote_into(txn, m.event_id, pool, seat_no, Some(m.category.get())).await?;
    }
    Ok(true)
}

/// Sets a registration of `event_id` from `from` to `to` (check-in, no-show), by an organiser.
async fn set_status(
    db: &impl Clocked,
    event_id: Uuid,
    id: Uuid,
    actor: &Actor,
    to: RegistrationStatus,
    reason: &str,
) -> Result<(), Error> {
    let m = load(db, id).await?;
    if m.event_id != event_id {
        return Err(Error::NotFound);
    }
    let from = m.status.get();
    from.transition_to(to)?;
    let written = registration::change(id, db.now())
        .col_expr(registration::Column::Status, Expr::val(Text(to)))
        .filter(registration::Column::Status.eq(Text(from)))
        .exec(db)
        .await?;
    if written.rows_affected != 1 {
        return Err(Error::Conflict("the registration changed meanwhile; try again".into()));
    }
    if from == RegistrationStatus::Waitlisted {
        crate::waitlist::leave(db, event_id, m.category.get()).await?;
    }
    record(db, id, Changer::User(actor.user_id), Some(from), to, reason).await
}

/// Checks a registration in (confirmed or no-show → attended), by an organiser of its event.
pub async fn check_in(
    store: &Store,
    event_id: Uuid,
    id: Uuid,
    actor: &Actor,
) -> Result<RegistrationWithHistory, Error> {
    crate::events::get_editable(store, event_id, actor).await?;
    store
        .write(|txn| {
            Box::pin(async move {
                set_status(txn, event_id, id, actor, RegistrationStatus::Attended, "checked in").await?;
                get(txn, id, &Credential::User(*actor)).await
            })
        })
        .await
}

/// After the event, marks every confirmed registration that did not check in as no-show.
pub async fn mark_no_shows(store: &Store, event_id: Uuid, actor: &Actor) -> Result<u64, Error> {
    let event = crate::events::get_editable(store, event_id, actor).await?;
    if store.now() < event.fields.ends_at {
        return Err(Error::Conflict("no-shows are marked after the event has ended".into()));
    }
    store
        .write(|txn| {
            Box::pin(async move {
                let ids: Vec<Uuid> = registration::Entity::find()
                    .filter(registration::Column::EventId.eq(event_id))
                    .filter(registration::Column::Status.eq(Text(RegistrationStatus::Confirmed)))
                    .select_only()
                    .column(registration::Column::Id)
                    .into_tuple()
                    .all(txn)
                    .await?;
                for id in &ids {
                    set_status(
                        txn,
                        event_id,
                        *id,
                        actor,
                        RegistrationStatus::NoShow,
                        "did not check in",
                    )
                    .await?;
                }
                Ok(ids.len() as u64)
            })
        })
        .await
}

/// The registrations of an event, for its organisers: oldest first, filtered; those whose
/// person's data was erased are not listed.
pub async fn list(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    actor: &Actor,
    filter: RegistrationFilter,
    page: Option<PageRequest>,
) -> Result<Page<Registration>, Error> {
    let event = crate::events::get(db, event_id).await?;
    if !event.is_organised_by(actor) {
        return Err(if event.status.is_public() {
            Error::Forbidden
        } else {
            Error::NotFound
        });
    }
    // Erased registrations are anonymous rows kept for the counts, not people to list.
    let mut query = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::ErasedAt.is_null());
    if let Some(s) = filter.status {
        query = query.filter(registration::Column::Status.eq(Text(s)));
    }
    if let Some(c) = filter.category {
        query = query.filter(registration::Column::Category.eq(Text(c)));
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = matinale_domain::text::like_pattern(&q.to_lowercase());
        let contains = |column: registration::Column| {
            Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        query = query.filter(
            Condition::any()
                .add(contains(registration::Column::FirstName))
                .add(contains(registration::Column::LastName))
                .add(contains(registration::Column::Email)),
        );
    }
    let total = query.clone().count(db).await?;
    let mut query = query
        .order_by_asc(registration::Column::QueueOrder)
        .order_by_asc(registration::Column::Id);
    let request = match page {
        Some(p) => {
            query = query.offset(p.offset()).limit(p.per_page);
            p
        }
        None => PageRequest {
            page: 1,
            per_page: Ord::max(total, 1),
        },
    };
    let rows = query.all(db).await?;
    let positions = crate::waitlist::positions(db, event_id).await?;
    let mut items: Vec<Registration> = rows
        .into_iter()
        .map(|m| {
            let p = positions.get(&m.id).copied();
            m.into_registration(p)
        })
        .collect();
    settle_claims(db, &mut items).await?;
    Ok(Page { items, request, total })
}
