//! The organisers' view of the mail outbox: what was queued, sent, is waiting or failed, and why.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use matinale_domain::mail::MailStatus;
use matinale_store::outbox::{Mail, OutboxFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{paged, PageQuery};
use crate::dto::ListResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, SignedIn};
use crate::state::AppState;

/// Filters of `GET /outbox`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Only mail in this state: `queued`, `sending`, `sent` or `failed`.
    pub status: Option<MailStatus>,
    /// Only mail about this event (one you organise).
    pub event: Option<Uuid>,
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

/// The outbox, newest first: every mail for an admin, the mail of the events they organise for
/// an organiser. Mail leaves the outbox by a background worker (`MATINALE_WORKER`), retried with
/// back-off while the mail server is unreachable.
#[utoipa::path(tag = "outbox", params(OutboxQuery, PageQuery), security(("bearer" = [])), responses(
    (status = 200, body = ListResponse<OutboxMailResponse>, headers(("Link" = String))),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json",
        description = "not an organiser or admin, or an event you do not organise"),
    (status = 422, body = Problem, content_type = "application/problem+json",
        description = "a bad `status`, `event`, `page` or `per_page`; an unknown event"),
))]
#[get("/outbox")]
pub async fn list_outbox(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    filter: Query<OutboxQuery>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page.0.parse()?;
    let filter = OutboxFilter {
        status: filter.0.status,
        event: filter.0.event,
    };
    let list = matinale_store::outbox::list(&state.db, &actor, filter, page).await?;
    Ok(paged(&req, ListResponse::from_page(list, OutboxMailResponse::from)))
}
