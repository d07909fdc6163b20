//! The registration rush: one registration in one round trip. On PostgreSQL one statement
//! (data-modifying `WITH`, its own transaction); on SQLite one batch of statements inside a
//! write transaction that registrants waiting at the same time share (group commit, module
//! `group_commit`). The statements are `sql::REGISTER_POSTGRES` and `sql::register_sqlite`.

use chrono::{DateTime, Utc};
use matinale_domain::event::Event;
use matinale_domain::mail::{MailKind, MailStatus};
use matinale_domain::registration::{NewRegistration, RegistrationStatus, SeatPool};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, SqlErr, Value};
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::database::{Store, WriterTurn};
use crate::entity::registration;
use crate::error::Error;
use crate::group_commit::Waiting;
use crate::notices::mail_payload;
use crate::receipt::Registered;
use crate::sql::{bind, register_sqlite, REGISTER_POSTGRES};
use crate::tokens::{new_manage_token, new_verification_token};

/// The foreign key refuses a registration naming an organisation that does not exist: that is
/// the caller's `organisation_id`, not a failure of the database.
pub(crate) fn unknown_organisation(err: DbErr) -> Error {
    match err.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            matinale_domain::Error::field("organisation_id", "unknown", "no organisation has this id").into()
        }
        _ => err.into(),
    }
}

/// A registration's order among those of its event (the organisers' list): the time it was
/// made. The waiting list goes by ticket instead (`waitlist`).
fn queue_order(now: DateTime<Utc>) -> i64 {
    now.timestamp_micros()
}

/// The history's reason and the mail for a new registration of `status`.
fn reason_and_mail(status: RegistrationStatus) -> (&'static str, MailKind) {
    match status {
        RegistrationStatus::Confirmed => ("registered; a seat was free", MailKind::RegistrationConfirmed),
        _ => (
            "registered; every seat of its category was taken",
            MailKind::RegistrationWaitlisted,
        ),
    }
}

/// Claims a seat (or takes a ticket and place on the waiting list) and writes the row, its
/// history and its first mail in one round trip: on PostgreSQL one statement (its own transaction when `db`
/// is not one); on SQLite one batch inside the caller's write transaction. The seat is the
/// first free one of its pool, claimed before the row is written, so the row is written once
/// with its final status, and a duplicate e-mail fails the insert and (by rollback) frees the
/// seat. Every part writes only while the event has the version `event` was read at: else no
/// row comes back, [`Error::Stale`], and the caller reads the event again.
///
/// `now` is when it is made, by the store's clock.
///
/// On SQLite, `savepoint` names a savepoint the batch begins with, so that the caller can roll
/// back what it did when a statement of it fails.
pub(crate) async fn insert_registration(
    db: &impl ConnectionTrait,
    event: &Event,
    new: &NewRegistration,
    savepoint: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Registered, Error> {
    let backend = db.get_database_backend();
    let id = Uuid::now_v7();
    let (token, token_hash) = new_manage_token();
    // The confirmation mail's link proves the address: a secret of its own, never the manage
    // token (which the 201 answers too). Not needed when registering proved it already.
    let verification = (!new.email_proven).then(new_verification_token);
    let pool = SeatPool::of(new.category, &event.fields.quotas);
    let (confirmed, waitlisted) = (RegistrationStatus::Confirmed, RegistrationStatus::Waitlisted);
    let [(confirmed_reason, confirmed_mail), (waitlisted_reason, waitlisted_mail)] =
        [confirmed, waitlisted].map(reason_and_mail);
    let person = &new.person;
    let payload = mail_payload(
        id,
        event.id,
        &person.first_name,
        &person.last_name,
        new.category.as_str(),
        crate::outbox::MailDetails {
            verification_token: verification.as_ref().map(|(secret, _)| secret.clone()),
            ..crate::outbox::MailDetails::token(token.to_owned())
        },
    );
    let params: [(&str, Value); 28] = [
        ("id", id.into()),
        ("event_id", event.id.into()),
        ("pool", pool.as_str().into()),
        ("category", new.category.as_str().into()),
        ("first_name", person.first_name.clone().into()),
        ("last_name", person.last_name.clone().into()),
        ("email", person.email.as_str().into()),
        ("phone", person.phone.clone().into()),
        ("organisation_id", new.organisation_id.into()),
        ("locale", new.locale.as_str().into()),
        ("accessibility_needs", new.accessibility_needs.clone().into()),
        ("share_contact", new.consents.share_contact.into()),
        ("manage_token_hash", token_hash.into()),
        ("queue_order", queue_order(now).into()),
        ("now", now.into()),
        ("confirmed", confirmed.as_str().into()),
        ("waitlisted", waitlisted.as_str().into()),
        ("history_id", Uuid::now_v7().into()),
        ("confirmed_reason", confirmed_reason.into()),
        ("waitlisted_reason", waitlisted_reason.into()),
        ("mail_id", Uuid::now_v7().into()),
        ("confirmed_mail", confirmed_mail.as_str().into()),
        ("waitlisted_mail", waitlisted_mail.as_str().into()),
        ("payload", payload.into()),
        ("queued", MailStatus::Queued.as_str().into()),
        ("event_version", event.version.into()),
        ("email_verification_hash", verification.map(|(_, hash)| hash).into()),
        ("email_verified_at", new.email_proven.then_some(now).into()),
    ];
    let statement = if backend == DbBackend::Postgres {
        bind(backend, REGISTER_POSTGRES, &params)
    } else {
        bind(backend, &register_sqlite(savepoint), &params)
    };
    let found = db
        .query_one_raw(statement)
        .await
        .map_err(unknown_organisation)?
        .ok_or(Error::Stale)?;
    let model = registration::Model::from_query_result(&found, "")?;
    let position: Option<i64> = found.try_get("", "waitlist_position")?;
    Ok(Registered {
        registration: model.into_registration(position.map(|p| p as u32)),
        manage_token: token,
    })
}

/// Registers `new` on the SQLite store, in the next group written. Run it where it is not
/// cancelled half-way ([`crate::run_to_completion`]): the one who writes a group writes it for
/// the others too.
pub(crate) async fn register_in_group(store: &Store, event: Event, new: NewRegistration) -> Result<Registered, Error> {
    let ticket = store.ticket();
    let (answer, mut answered) = oneshot::channel();
    store.waiting().push(Waiting {
        ticket,
        event,
        new,
        answer,
    });
    loop {
        tokio::select! {
            biased;
            done = &mut answered => {
                return done.unwrap_or_else(|_| Err(Error::internal("the registration was not written")));
            }
            turn = store.writer_turn() => {
                let turn = match turn {
                    Ok(turn) => turn,
                    Err(busy) => {
                        // Give up only if nobody has taken this registration to write it yet.
                        let mut group = store.waiting();
                        let before = group.len();
                        group.retain(|w| w.ticket != ticket);
                        if group.len() < before {
                            return Err(busy);
                        }
                        continue;
                    }
                };
                let group = std::mem::take(&mut *store.waiting());
                if !group.is_empty() {
                    write_group(store, &turn, group).await;
                }
                drop(turn);
            }
        }
    }
}

/// Writes `group` in one transaction (the caller holds the writer turn) and answers each: with
/// its own outcome once committed, or with the error that stopped the transaction.
async fn write_group(store: &Store, turn: &WriterTurn, group: Vec<Waiting>) {
    let (answers, work): (Vec<_>, Vec<_>) = group.into_iter().map(|w| (w.answer, (w.event, w.new))).unzip();
    let work = &work;
    let written = store
        .write_in_turn(turn, &mut |txn| {
            Box::pin(async move {
                let mut outcomes = Vec::with_capacity(work.len());
                for (event, new) in work {
                    let outcome = insert_registration(txn, event, new, Some("registration"), txn.now()).await;
                    if outcome.is_err() {
                        // Undo what this registration's statements did before the one that failed.
                        txn.execute_unprepared("ROLLBACK TO registration").await?;
                    }
                    outcomes.push(outcome);
                }
                Ok(outcomes)
            })
        })
        .await;
    match written {
        Ok(outcomes) => {
            for (answer, outcome) in answers.into_iter().zip(outcomes) {
                let _ = answer.send(outcome);
            }
        }
        Err(e) => {
            for answer in answers {
                let _ = answer.send(Err(e.clone()));
            }
        }
    }
}
