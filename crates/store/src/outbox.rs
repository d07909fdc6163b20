//! The durable mail outbox: rows written in the same transaction as the change they announce,
//! delivered later by the notifier, so that no mail is sent for a change that rolled back and
//! none is lost when the mail server is down.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::entity::outbox;
use crate::error::Error;

/// A mail to queue.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// What it says: `registration_confirmed`, `registration_waitlisted`, `registration_promoted`,
    /// `registration_cancelled`, `registration_link`.
    pub kind: &'static str,
    /// Recipient.
    pub to_email: String,
    /// `fr` or `en`.
    pub locale: String,
    /// What the template needs.
    pub payload: serde_json::Value,
    /// The registration it concerns.
    pub registration_id: Option<Uuid>,
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
    /// `queued`, `sending`, `sent` or `failed`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// When to try next.
    pub next_attempt_at: DateTime<Utc>,
    /// The registration it concerns.
    pub registration_id: Option<Uuid>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

/// Queues a mail; call it inside the transaction of the change it announces.
pub async fn enqueue(db: &impl ConnectionTrait, mail: NewMail) -> Result<(), Error> {
    let now = Utc::now();
    outbox::Entity::insert(outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(mail.kind.to_owned()),
        to_email: Set(mail.to_email),
        locale: Set(mail.locale),
        payload: Set(mail.payload),
        status: Set("queued".to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        registration_id: Set(mail.registration_id),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Every mail about one registration, oldest first.
pub async fn for_registration(db: &impl ConnectionTrait, registration_id: Uuid) -> Result<Vec<Mail>, Error> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::RegistrationId.eq(registration_id))
        .order_by_asc(outbox::Column::CreatedAt)
        .order_by_asc(outbox::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| Mail {
            id: m.id,
            kind: m.kind,
            to_email: m.to_email,
            locale: m.locale,
            payload: m.payload,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            registration_id: m.registration_id,
            created_at: m.created_at,
        })
        .collect())
}
