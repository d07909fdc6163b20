//! Blocks of speed meetings: the organisers cut part of an event into slots with tables.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use matinale_domain::meeting::{MeetingBlock, MeetingBlockDraft};
use uuid::Uuid;

use super::{paged, PageQuery};
use crate::dto::meeting_blocks::CreateMeetingBlockRequest;
use crate::dto::ListResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query, SignedIn};
use crate::responses::{OrganiserErrors, OrganiserListErrors, WriteErrors};
use crate::state::AppState;

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

/// Adds a block of speed meetings to an event: from `starts_at`, one slot of `slot_minutes`
/// every `slot_minutes + break_minutes`, as many as end by `ends_at`. The block lies inside
/// the event and overlaps none of its other blocks.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), request_body = CreateMeetingBlockRequest,
    security(("bearer" = [])), responses(
        WriteErrors,
        (status = 201, body = MeetingBlock),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an organiser of this event"),
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
    Ok(HttpResponse::Created().json(block))
}

/// The meeting blocks of an event in time order, with their slots, for its organisers.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path), PageQuery), security(("bearer" = [])), responses(
        OrganiserListErrors,
    (status = 200, body = ListResponse<MeetingBlock>, headers(("Link" = String))),
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
    Ok(paged(&req, ListResponse::from(list)))
}

/// Deletes a meeting block and its slots, and drops the event's draft schedule (run the
/// scheduler again). Once meetings are published in the block it cannot be deleted.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 204),
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
