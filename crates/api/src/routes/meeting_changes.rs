//! Changes to the published timetable by the event's organisers (move, cancel, add by hand),
//! one meeting read by either side or an organiser, and the stewards' view of the day.

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::Utc;
use matinale_store::registrations::Credential;
use uuid::Uuid;

use crate::dto::meeting_changes::{
    AddMeetingRequest, CancelMeetingRequest, MeetingsNowResponse, MoveMeetingRequest, NowQuery,
};
use crate::dto::meetings::MeetingResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query, RegistrationCaller, SignedIn};
use crate::responses::{OrganiserListErrors, WriteErrors};
use crate::state::AppState;

/// One published meeting (cancelled ones too), for an organiser of its event or either of its
/// two people (their manage token). A side sees the other's name only with their consent to
/// share contact details; an organisation is named only once its claim is confirmed.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = MeetingResponse),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json",
        description = "unknown, or neither a side of it nor an organiser of its event"),
))]
#[get("/meetings/{id}")]
pub async fn get_meeting(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let found = matinale_store::meeting_changes::get(&state.db, id.into_inner(), &who).await?;
    let viewer = match who {
        Credential::Registrant(own) => Some(own),
        Credential::User(_) => None,
    };
    Ok(HttpResponse::Ok().json(MeetingResponse::seen_by(found.meeting, found.timezone, viewer)))
}

/// Moves a scheduled meeting to another slot or table of its event. It keeps its id and
/// calendar UID; its `sequence` grows by one and both people get the new invitation
/// (`METHOD:REQUEST`) saying where it was. Moving it where it is changes nothing.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), request_body = MoveMeetingRequest,
    security(("bearer" = [])), responses(
        WriteErrors,
        (status = 200, body = MeetingResponse),
        (status = 409, body = Problem, content_type = "application/problem+json",
            description = "the detail starts with the field at fault: `table` (taken in that slot), `buyer` or `supplier` (has a meeting then), `slot_id` (a side is unavailable then), `status` (the meeting or the event is cancelled)"),
        (status = 422, body = Problem, content_type = "application/problem+json",
            description = "`slot_id` not a slot of the event, `table` not a table of its block"),
))]
#[patch("/meetings/{id}")]
#[tracing::instrument(skip_all)]
pub async fn move_meeting(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    body: Json<MoveMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let to = body.0.into();
    let moved = matinale_store::meeting_changes::move_to(&state.db, id.into_inner(), &actor, to).await?;
    Ok(HttpResponse::Ok().json(MeetingResponse::new(moved.meeting, moved.timezone)))
}

/// Cancels a scheduled meeting: its `sequence` grows by one and both people get its
/// `METHOD:CANCEL` (same UID) with the reason.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), request_body = CancelMeetingRequest,
    security(("bearer" = [])), responses(
        WriteErrors,
        (status = 200, body = MeetingResponse),
        (status = 409, body = Problem, content_type = "application/problem+json",
            description = "`status`: already cancelled, held or a no-show, or the event is cancelled"),
))]
#[post("/meetings/{id}/cancel")]
#[tracing::instrument(skip_all)]
pub async fn cancel_meeting(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    body: Json<CancelMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.0.reason;
    let cancelled = matinale_store::meeting_changes::cancel(&state.db, id.into_inner(), &actor, reason).await?;
    Ok(HttpResponse::Ok().json(MeetingResponse::new(cancelled.meeting, cancelled.timezone)))
}

/// Adds a meeting by hand between a confirmed buyer and a confirmed ESS structure of the
/// event, with the checks of a move (and not between a pair that declined, nor twice); both
/// people get its invitation (`METHOD:REQUEST`).
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), request_body = AddMeetingRequest,
    security(("bearer" = [])), responses(
        WriteErrors,
        (status = 201, body = MeetingResponse, headers(("Location" = String))),
        (status = 409, body = Problem, content_type = "application/problem+json",
            description = "the detail starts with the field at fault: `table`, `buyer_registration_id`, `supplier_registration_id`, `slot_id` or `status`"),
))]
#[post("/events/{id}/meetings")]
#[tracing::instrument(skip_all)]
pub async fn add_meeting(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    body: Json<AddMeetingRequest>,
) -> Result<HttpResponse, ApiError> {
    let new = body.0.into();
    let added = matinale_store::meeting_changes::add(&state.db, id.into_inner(), &actor, new).await?;
    let location = format!("/api/v1/meetings/{}", added.meeting.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(MeetingResponse::new(added.meeting, added.timezone)))
}

/// What a steward reads aloud: the slot under way and the next one to start (the first one
/// before the meetings begin), each table by table with both people and whether they have
/// checked in. `?at=` looks from another instant.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path), NowQuery), security(("bearer" = [])), responses(
    OrganiserListErrors,
    (status = 200, body = MeetingsNowResponse),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "`at` is not an RFC 3339 instant"),
))]
#[get("/events/{id}/meetings/now")]
pub async fn meetings_now(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    query: Query<NowQuery>,
) -> Result<HttpResponse, ApiError> {
    let at = query.0.at.map_or_else(|| state.db.now(), |at| at.with_timezone(&Utc));
    let now = matinale_store::meeting_changes::now(&state.db, id.into_inner(), &actor, at).await?;
    Ok(HttpResponse::Ok().json(MeetingsNowResponse::from(now)))
}
