//! Mail queued for delivery.

use chrono::DateTime;
use chrono::Utc;
use matinale_domain::mail::MailStatus;
use matinale_store::outbox::Mail;
use matinale_store::outbox_view::OutboxFilter;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;
use uuid::Uuid;

/// Filters of `GET /outbox`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only mail in this state: `queued`, `sending`, `sent` or `failed`.
    pub status: Option<MailStatus>,
    /// Only mail about this event (one you organise).
    pub event: Option<Uuid>,
}

impl From<OutboxQuery> for OutboxFilter {
    fn from(q: OutboxQuery) -> Self {
        Self {
            status: q.status,
            event: q.event,
        }
    }
}

/// One mail of the outbox. Its template data is shown without secrets: a manage token never
/// appears here (and is erased from the row once the mail is sent or given up).
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxMailResponse {
    /// Id; the mail's Message-ID is `<outbox-{id}@{public host}>`.
    pub id: Uuid,
    /// What it announces: `registration_confirmed`, `registration_waitlisted`,
    /// `registration_promoted`, `registration_cancelled`, `registration_link`,
    /// `event_cancelled`, `event_reminder`.
    pub kind: String,
    /// Recipient.
    pub to_email: String,
    /// Language of the mail, `fr` or `en`.
    pub locale: String,
    /// Where its delivery stands.
    pub status: MailStatus,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// When it is (or was) next tried.
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// The registration it concerns.
    pub registration_id: Option<Uuid>,
    /// The event it concerns.
    pub event_id: Option<Uuid>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When the mail server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// Template data (names, waiting-list position…), without any token.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

impl From<Mail> for OutboxMailResponse {
    fn from(m: Mail) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            to_email: m.to_email,
            locale: m.locale,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            registration_id: m.registration_id,
            event_id: m.event_id,
            created_at: m.created_at,
            sent_at: m.sent_at,
            payload: matinale_store::outbox::without_tokens(m.payload),
        }
    }
}
