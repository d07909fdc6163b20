//! Blocks of speed meetings: the organisers cut part of an event into slots with tables.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset, Utc};
use matinale_domain::meeting::MeetingBlockDraft;
use matinale_store::meeting_blocks::MeetingBlock;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{paged, PageQuery};
use crate::dto::ListResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query, SignedIn};
use crate::state::AppState;

/// `POST /events/{id}/meeting-blocks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMeetingBlockRequest {
    /// Start of the first slot, inside the event.
    pub starts_at: DateTime<FixedOffset>,
    /// No slot ends after this; inside the event.
    pub ends_at: DateTime<FixedOffset>,
    /// Length of a slot, 5 to 240 minutes.
    pub slot_minutes: i64,
    /// Pause between two slots, 0 to 120 minutes.
    pub break_minutes: i64,
    /// Number of tables, 1 to 2000 (one buyer sits at each).
    pub tables: i64,
    /// One label per table (at most 60 characters each), or none: tables are numbered.
    #[serde(default)]
    pub table_labels: Option<Vec<String>>,
}

impl From<CreateMeetingBlockRequest> for MeetingBlockDraft {
    fn from(r: CreateMeetingBlockRequest) -> Self {
        MeetingBlockDraft {
            starts_at: r.starts_at.with_timezone(&Utc),
            ends_at: r.ends_at.with_timezone(&Utc),
            slot_minutes: r.slot_minutes,
            break_minutes: r.break_minutes,
            tables: r.tables,
            table_labels: r.table_labels,
        }
    }
}

/// A slot of a block.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingSlotResponse {
    /// Id, as named in `meetings.unavailable_slot_ids` of a registration.
    pub id: Uuid,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
}

/// A block of speed meetings and its slots.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingBlockResponse {
    /// Id.
    pub id: Uuid,
    /// Its event.
    pub event_id: Uuid,
    /// Start of the first slot.
    pub starts_at: DateTime<Utc>,
    /// No slot ends after this.
    pub ends_at: DateTime<Utc>,
    /// Length of a slot.
    pub slot_minutes: u32,
    /// Pause between slots.
    pub break_minutes: u32,
    /// Number of tables.
    pub tables: u32,
    /// One label per table; `null`: tables are numbered.
    pub table_labels: Option<Vec<String>>,
    /// The slots, first first.
    pub slots: Vec<MeetingSlotResponse>,
}

impl From<MeetingBlock> for MeetingBlockResponse {
    fn from(b: MeetingBlock) -> Self {
        Self {
            id: b.id,
            event_id: b.event_id,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            slot_minutes: b.slot_minutes,
            break_minutes: b.break_minutes,
            tables: b.tables,
            table_labels: b.table_labels,
            slots: b
                .slots
                .into_iter()
                .map(|s| MeetingSlotResponse {
                    id: s.id,
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                })
                .collect(),
        }
    }
}

/// Adds a block of speed meetings to an event: from `starts_at`, one slot of `slot_minutes`
/// every `slot_minutes + break_minutes`, as many as end by `ends_at`. The block lies inside
/// the event and overlaps none of its other blocks.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), request_body = CreateMeetingBlockRequest,
    security(("bearer" = [])), responses(
        (status = 201, body = MeetingBlockResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an organiser of this event"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json",
            description = "outside the event, over another block, slots too short or long, labels that do not match the tables"),
))]
#[post("/events/{id}/meeting-blocks")]
#[tracing::instrument(skip_all)]
pub async fn create_meeting_block(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    body: Json<CreateMeetingBlockRequest>,
) -> Result<HttpResponse, ApiError> {
    let draft = MeetingBlockDraft::from(body.into_inner());
    let block = matinale_store::meeting_blocks::create(&state.db, id.into_inner(), &actor, draft).await?;
    Ok(HttpResponse::Created().json(MeetingBlockResponse::from(block)))
}

/// The meeting blocks of an event in time order, with their slots, for its organisers.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path), PageQuery), security(("bearer" = [])), responses(
    (status = 200, body = ListResponse<MeetingBlockResponse>, headers(("Link" = String))),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/events/{id}/meeting-blocks")]
pub async fn list_meeting_blocks(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page.0.parse()?;
    let list = matinale_store::meeting_blocks::list(&state.db, id.into_inner(), &actor, page).await?;
    Ok(paged(&req, ListResponse::from_page(list, MeetingBlockResponse::from)))
}

/// Deletes a meeting block and its slots, and drops the event's draft schedule (run the
/// scheduler again). Once meetings are published in the block it cannot be deleted.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 204),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "meetings are published in this block"),
))]
#[delete("/meeting-blocks/{id}")]
#[tracing::instrument(skip_all)]
pub async fn delete_meeting_block(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    matinale_store::meeting_blocks::delete(&state.db, id.into_inner(), &actor).await?;
    Ok(HttpResponse::NoContent().finish())
}
