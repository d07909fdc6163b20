//! The durable mail outbox: rows written in the same transaction as the change they announce,
//! delivered later by the notifier, so that no mail is sent for a change that rolled back and
//! none is lost when the mail server is down.
//!
//! Delivery claims rows under a lease: `queued` (and due) or `sending` with an expired lease
//! (its worker died) become `sending` until `lease_until`, and every claim adds one to
//! `attempts`. On PostgreSQL the claim skips rows another worker is claiming
//! (`FOR UPDATE SKIP LOCKED`), so several processes never take the same row; SQLite has one
//! writer, so its claim is one atomic statement. The claim's `attempts` identifies it: an
//! outcome (`mark_sent`, `retry_at`, `mark_failed`) is recorded only if the row is still
//! `sending` with that count, so a worker whose lease ran out and whose row was claimed again
//! cannot overwrite the newer claim's outcome.

use chrono::{DateTime, Utc};
use matinale_domain::mail::{MailKind, MailStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::database::Clocked;
use crate::database::Store;
use crate::entity::text::Text;
use crate::entity::{outbox, registration};
use crate::error::Error;
use crate::sql::bind;

/// The payload key of the registration's manage token: a credential, kept in clear only
/// until the mail that carries it is sent (or given up).
pub const MANAGE_TOKEN_KEY: &str = "manage_token";

/// The payload key of the e-mail verification secret of a confirmation mail: a credential
/// too, forgotten like the manage token once the mail is sent.
pub const VERIFICATION_TOKEN_KEY: &str = "verification_token";

/// The payload keys of an invitation's two secrets (the link to the event page, the
/// unsubscribe link): in clear only until its mail is sent (or given up).
pub const INVITATION_TOKEN_KEYS: [&str; 2] = ["invitation_token", "unsubscribe_token"];

/// Longest `last_error` kept; SMTP replies can be long and the column is for people to read.
const MAX_ERROR_CHARS: usize = 1000;

/// What a queued mail's `payload` holds: the person it greets, the registration and event it
/// is about, and what its kind needs besides ([`MailDetails`]). Store writes it, the mail
/// worker reads it back; the JSON keys are those of the rows already stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailPayload {
    /// The registration the mail is about.
    pub registration_id: Uuid,
    /// Its event (the row's `event_id` too).
    #[serde(default)]
    pub event_id: Option<Uuid>,
    /// Greeting first name.
    pub first_name: String,
    /// Greeting last name.
    pub last_name: String,
    /// The person's category (`buyer`, `supplier`, …).
    #[serde(default)]
    pub category: Option<String>,
    /// What the mail's kind needs besides.
    #[serde(flatten)]
    pub details: MailDetails,
}

/// What some mail kinds need besides the person; each kind sets the fields it uses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MailDetails {
    /// The registration's manage token, in clear until the mail is sent ([`MANAGE_TOKEN_KEY`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage_token: Option<String>,
    /// The e-mail verification secret the confirmation mail's link carries
    /// ([`VERIFICATION_TOKEN_KEY`]), in clear until the mail is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_token: Option<String>,
    /// The place on the waiting list (`registration_waitlisted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waitlist_position: Option<u32>,
    /// The meeting a meeting mail is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<Uuid>,
    /// Why it was cancelled, as the organiser wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where a moved meeting was before (`meeting_changed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<PreviousPlace>,
}

impl MailDetails {
    /// A mail that carries the manage token `token`.
    pub fn token(token: impl Into<String>) -> Self {
        MailDetails {
            manage_token: Some(token.into()),
            ..Self::default()
        }
    }

    /// A mail about the meeting `id`.
    pub fn meeting(id: Uuid) -> Self {
        MailDetails {
            meeting_id: Some(id),
            ..Self::default()
        }
    }
}

/// Where a meeting was before it moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousPlace {
    /// Former start.
    pub starts_at: DateTime<Utc>,
    /// Former end.
    pub ends_at: DateTime<Utc>,
    /// Former table.
    pub table: u32,
}

impl MailPayload {
    /// The JSON stored in the outbox row.
    pub fn to_json(&self) -> serde_json::Value {
        // A struct of strings, numbers and ids always serialises.
        serde_json::to_value(self).unwrap_or_default()
    }

    /// Reads a stored row's payload back.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, serde_json::Error> {
        Self::deserialize(value)
    }
}

/// What an invitation mail's `payload` holds (kind `invitation`, about no registration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationPayload {
    /// The invitation.
    pub invitation_id: Uuid,
    /// Its event (the row's `event_id` too).
    pub event_id: Uuid,
    /// Greeting first name (may be empty).
    pub first_name: String,
    /// Greeting last name (may be empty).
    pub last_name: String,
    /// The secret of the link to the event page, in clear until the mail is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_token: Option<String>,
    /// The secret of the unsubscribe link, in clear until the mail is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsubscribe_token: Option<String>,
}

impl InvitationPayload {
    /// The JSON stored in the outbox row.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// Reads a stored row's payload back.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, serde_json::Error> {
        Self::deserialize(value)
    }
}

/// A mail to queue.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// What it says, a [`matinale_domain::mail::MailKind`] text: `registration_confirmed`, …
    pub kind: &'static str,
    /// Recipient.
    pub to_email: String,
    /// `fr` or `en`.
    pub locale: String,
    /// What the template needs: a [`MailPayload`] as JSON.
    pub payload: serde_json::Value,
    /// The registration it concerns.
    pub registration_id: Option<Uuid>,
    /// The event it concerns.
    pub event_id: Option<Uuid>,
}

impl NewMail {
    /// A mail of `kind` to the person of the registration `r`, about it and its event.
    pub(crate) fn to_registration(r: &registration::Model, kind: MailKind, details: MailDetails) -> Self {
        let payload = MailPayload {
            registration_id: r.id,
            event_id: Some(r.event_id),
            first_name: r.first_name.clone(),
            last_name: r.last_name.clone(),
            category: Some(r.category.as_str().to_owned()),
            details,
        };
        NewMail {
            kind: kind.as_str(),
            to_email: r.email.clone(),
            locale: r.locale.as_str().to_owned(),
            payload: payload.to_json(),
            registration_id: Some(r.id),
            event_id: Some(r.event_id),
        }
    }
}

/// A queued (or sent) mail.
#[derive(Debug, Clone)]
pub struct Mail {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: String,
    /// Recipient.
    pub to_email: String,
    /// Locale.
    pub locale: String,
    /// Template data.
    pub payload: serde_json::Value,
    /// Where its delivery stands.
    pub status: MailStatus,
    /// Delivery attempts so far (claims, including the current one while `sending`).
    pub attempts: i32,
    /// When to try next.
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// While `sending`: until when the claiming worker holds it.
    pub lease_until: Option<DateTime<Utc>>,
    /// The registration it concerns.
    pub registration_id: Option<Uuid>,
    /// The event it concerns.
    pub event_id: Option<Uuid>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When the mail server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
}

impl TryFrom<outbox::Model> for Mail {
    type Error = Error;

    fn try_from(m: outbox::Model) -> Result<Self, Error> {
        Ok(Mail {
            id: m.id,
            kind: m.kind,
            to_email: m.to_email,
            locale: m.locale,
            payload: m.payload,
            status: m.status.get(),
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            lease_until: m.lease_until,
            registration_id: m.registration_id,
            event_id: m.event_id,
            created_at: m.created_at,
            sent_at: m.sent_at,
        })
    }
}

/// A payload without any key that names a token, at any depth: what a person or an organiser
/// may be shown of a mail never holds a credential.
pub fn without_tokens(mut payload: serde_json::Value) -> serde_json::Value {
    fn scrub(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.retain(|key, _| !key.to_ascii_lowercase().contains("token"));
                map.values_mut().for_each(scrub);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(scrub),
            _ => {}
        }
    }
    scrub(&mut payload);
    payload
}

/// The row of a mail queued at `now`.
pub(crate) fn queued(mail: NewMail, now: DateTime<Utc>) -> outbox::ActiveModel {
    outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(mail.kind.to_owned()),
        to_email: Set(mail.to_email),
        locale: Set(mail.locale),
        payload: Set(mail.payload),
        status: Set(Text(MailStatus::Queued)),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        registration_id: Set(mail.registration_id),
        created_at: Set(now),
        lease_until: Set(None),
        event_id: Set(mail.event_id),
        sent_at: Set(None),
    }
}

/// Queues a mail; call it inside the transaction of the change it announces.
pub async fn enqueue(db: &impl Clocked, mail: NewMail) -> Result<(), Error> {
    outbox::Entity::insert(queued(mail, db.now()))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Queues many mails in a few multi-row inserts; inside the transaction of the change.
pub async fn enqueue_many(db: &impl Clocked, mails: Vec<NewMail>) -> Result<(), Error> {
    let now = db.now();
    let rows: Vec<outbox::ActiveModel> = mails.into_iter().map(|mail| queued(mail, now)).collect();
    // 14 columns a row: 500 rows stay under SQLite's 32,766 bound parameters.
    for chunk in rows.chunks(500) {
        outbox::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Every mail about one registration, oldest first.
pub async fn for_registration(db: &impl ConnectionTrait, registration_id: Uuid) -> Result<Vec<Mail>, Error> {
    outbox::Entity::find()
        .filter(outbox::Column::RegistrationId.eq(registration_id))
        .order_by_asc(outbox::Column::CreatedAt)
        .order_by_asc(outbox::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Mail::try_from)
        .collect()
}

/// Every mail of `kind` to `email`, oldest first: the invitations, which concern no
/// registration.
pub async fn to_address(db: &impl ConnectionTrait, email: &str, kind: MailKind) -> Result<Vec<Mail>, Error> {
    outbox::Entity::find()
        .filter(outbox::Column::ToEmail.eq(email.trim().to_lowercase()))
        .filter(outbox::Column::Kind.eq(kind.as_str()))
        .order_by_asc(outbox::Column::CreatedAt)
        .order_by_asc(outbox::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Mail::try_from)
        .collect()
}

/// Claims up to `limit` due rows until `now + lease`: queued rows whose next attempt is due,
/// and rows still `sending` whose lease has expired. Each claimed row's `attempts` grows by
/// one; pass it back to the `mark_*` functions. Oldest due first.
pub async fn claim(store: &Store, limit: u32, lease: chrono::Duration, now: DateTime<Utc>) -> Result<Vec<Mail>, Error> {
    store.write(|txn| Box::pin(claim_in(txn, limit, lease, now))).await
}

/// [`claim`] inside the caller's transaction (a test holds one open to see that a second
/// claim skips its rows).
pub async fn claim_in(
    db: &impl ConnectionTrait,
    limit: u32,
    lease: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<Vec<Mail>, Error> {
    let backend = db.get_database_backend();
    // PostgreSQL: rows another worker is claiming are skipped, not waited for (nor taken twice).
    // SQLite: the statement runs under the database's single write lock.
    let lock = if backend == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE outbox SET status = 'sending', lease_until = :lease_until, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM outbox \
           WHERE (status = 'queued' AND next_attempt_at <= :now) OR (status = 'sending' AND lease_until < :now) \
           ORDER BY next_attempt_at, id LIMIT :limit {lock}) \
         RETURNING *"
    );
    let params = [
        ("lease_until", (now + lease).into()),
        ("now", now.into()),
        ("limit", i64::from(limit).into()),
    ];
    let rows = outbox::Entity::find()
        .from_raw_sql(bind(backend, &sql, &params))
        .all(db)
        .await?;
    let mut claimed = rows.into_iter().map(Mail::try_from).collect::<Result<Vec<_>, _>>()?;
    // RETURNING gives no order; hand rows out oldest due first.
    claimed.sort_by_key(|m| (m.next_attempt_at, m.id));
    Ok(claimed)
}

/// `payload` without the manage token and the verification secret, in SQL: the token is a credential and the mail that
/// needed it has gone (or never will).
fn payload_without_token(backend: DbBackend) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::cust(format!(
            "(payload::jsonb - '{MANAGE_TOKEN_KEY}' - '{VERIFICATION_TOKEN_KEY}' - '{}' - '{}')::json",
            INVITATION_TOKEN_KEYS[0], INVITATION_TOKEN_KEYS[1]
        )),
        _ => Expr::cust(format!(
            "json_remove(payload, '$.{MANAGE_TOKEN_KEY}', '$.{VERIFICATION_TOKEN_KEY}', '$.{}', '$.{}')",
            INVITATION_TOKEN_KEYS[0], INVITATION_TOKEN_KEYS[1]
        )),
    }
}

fn truncated(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}

/// Applies `update` to the row claimed with `attempt` if that claim still holds it; false
/// when another claim took it over (the outcome is then the other claim's to record).
async fn settle(
    store: &Store,
    id: Uuid,
    attempt: i32,
    update: sea_orm::UpdateMany<outbox::Entity>,
) -> Result<bool, Error> {
    let update = &update;
    let written = store
        .write(|txn| {
            Box::pin(async move {
                Ok(update
                    .clone()
                    .filter(outbox::Column::Id.eq(id))
                    .filter(outbox::Column::Status.eq(Text(MailStatus::Sending)))
                    .filter(outbox::Column::Attempts.eq(attempt))
                    .exec(txn)
                    .await?)
            })
        })
        .await?;
    Ok(written.rows_affected == 1)
}

/// Records the delivery of the row claimed with `attempt` and forgets its manage token.
pub async fn mark_sent(db: &Store, id: Uuid, attempt: i32) -> Result<bool, Error> {
    let now = db.now();
    let update = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::val(MailStatus::Sent.as_str()))
        .col_expr(outbox::Column::SentAt, Expr::val(now))
        .col_expr(outbox::Column::LeaseUntil, Expr::val(Option::<DateTime<Utc>>::None))
        .col_expr(
            outbox::Column::Payload,
            payload_without_token(db.get_database_backend()),
        );
    settle(db, id, attempt, update).await
}

/// Records the deliveries of the rows claimed with their attempts (`(id, attempt)`), in one
/// write transaction; how many were still held by those claims (the others were taken over
/// after their lease expired, and are the newer claims' to record).
pub async fn mark_sent_many(db: &Store, claims: &[(Uuid, i32)]) -> Result<u64, Error> {
    let now = db.now();
    let backend = db.get_database_backend();
    db.write(|txn| {
        Box::pin(async move {
            let mut written = 0;
            for &(id, attempt) in claims {
                written += outbox::Entity::update_many()
                    .col_expr(outbox::Column::Status, Expr::val(MailStatus::Sent.as_str()))
                    .col_expr(outbox::Column::SentAt, Expr::val(now))
                    .col_expr(outbox::Column::LeaseUntil, Expr::val(Option::<DateTime<Utc>>::None))
                    .col_expr(outbox::Column::Payload, payload_without_token(backend))
                    .filter(outbox::Column::Id.eq(id))
                    .filter(outbox::Column::Status.eq(Text(MailStatus::Sending)))
                    .filter(outbox::Column::Attempts.eq(attempt))
                    .exec(txn)
                    .await?
                    .rows_affected;
            }
            Ok(written)
        })
    })
    .await
}

/// Puts the row claimed with `attempt` back in the queue until `at`, with the error.
pub async fn retry_at(db: &Store, id: Uuid, attempt: i32, at: DateTime<Utc>, error: &str) -> Result<bool, Error> {
    let update = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::val(MailStatus::Queued.as_str()))
        .col_expr(outbox::Column::NextAttemptAt, Expr::val(at))
        .col_expr(outbox::Column::LastError, Expr::val(truncated(error)))
        .col_expr(outbox::Column::LeaseUntil, Expr::val(Option::<DateTime<Utc>>::None));
    settle(db, id, attempt, update).await
}

/// Gives up the row claimed with `attempt`, with the reason; its manage token is forgotten.
pub async fn mark_failed(db: &Store, id: Uuid, attempt: i32, error: &str) -> Result<bool, Error> {
    let update = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::val(MailStatus::Failed.as_str()))
        .col_expr(outbox::Column::LastError, Expr::val(truncated(error)))
        .col_expr(outbox::Column::LeaseUntil, Expr::val(Option::<DateTime<Utc>>::None))
        .col_expr(
            outbox::Column::Payload,
            payload_without_token(db.get_database_backend()),
        );
    settle(db, id, attempt, update).await
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::{MailDetails, MailPayload, PreviousPlace};

    #[test]
    fn a_payload_is_stored_under_the_keys_the_rows_already_have() {
        let (registration_id, event_id, meeting_id) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let at = chrono::DateTime::parse_from_rfc3339("2026-03-12T09:00:00Z")
            .unwrap()
            .to_utc();
        let payload = MailPayload {
            registration_id,
            event_id: Some(event_id),
            first_name: "Awa".into(),
            last_name: "Diallo".into(),
            category: Some("buyer".into()),
            details: MailDetails {
                previous: Some(PreviousPlace {
                    starts_at: at,
                    ends_at: at,
                    table: 4,
                }),
                ..MailDetails::meeting(meeting_id)
            },
        };
        let stored = payload.to_json();
        assert_eq!(
            stored,
            json!({"registration_id": registration_id, "event_id": event_id, "first_name": "Awa",
                "last_name": "Diallo", "category": "buyer", "meeting_id": meeting_id,
                "previous": {"starts_at": at, "ends_at": at, "table": 4}})
        );
        assert_eq!(MailPayload::from_json(&stored).unwrap(), payload);
    }

    #[test]
    fn rows_written_before_the_typed_payload_are_read_back() {
        let id = Uuid::now_v7();
        // A waiting-list mail (its position set in SQL) and a cancellation without a reason.
        let waitlisted = json!({"registration_id": id, "event_id": id, "first_name": "A", "last_name": "B",
            "category": "supplier", "manage_token": "mr_x", "waitlist_position": 2});
        let read = MailPayload::from_json(&waitlisted).unwrap();
        assert_eq!(read.details.waitlist_position, Some(2));
        assert_eq!(read.details.manage_token.as_deref(), Some("mr_x"));
        let cancelled = json!({"registration_id": id, "event_id": id, "first_name": "A", "last_name": "B",
            "category": "buyer", "meeting_id": id, "reason": null, "waitlist_position": null});
        let read = MailPayload::from_json(&cancelled).unwrap();
        assert_eq!(read.details, MailDetails::meeting(id));
        assert!(MailPayload::from_json(&json!({"registration_id": id, "first_name": 3})).is_err());
    }

    #[test]
    fn tokens_are_redacted_at_any_depth() {
        let payload = json!({"first_name": "Awa", "manage_token": "mr_secret",
            "nested": {"feed_token": "x", "keep": 1}, "list": [{"Token": "y"}]});
        assert_eq!(
            super::without_tokens(payload),
            json!({"first_name": "Awa", "nested": {"keep": 1}, "list": [{}]})
        );
    }
}
