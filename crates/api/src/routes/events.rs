//! Events, their status and programme.

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use matinale_domain::event::{check_new_event_dates, EventFields, EventStatus, NewProgrammeItem};
use matinale_store::events::{EventChange, EventFilter};
use uuid::Uuid;

use super::{paged, ListQuery, PageQuery};
use crate::dto::events::{
    CreateEventRequest, CreateProgrammeItemRequest, EventListQuery, EventResponse, PatchEventRequest,
    ProgrammeItemResponse,
};
use crate::dto::{patched, ListResponse};
use crate::error::{ApiError, Problem};
use crate::etag;
use crate::etag::IfMatch;
use crate::extract::{Caller, Json, SignedIn};
use crate::responses::{ListErrors, OrganiserErrors, PatchErrors, ReadErrors, WriteErrors};
use crate::state::AppState;

/// An event as its organisers see it, with its ETag.
fn organised(event: matinale_domain::event::Event, status: StatusCode) -> HttpResponse {
    etag::tagged(status, event.version, EventResponse::new(event, true))
}

/// Creates an event (a draft unless `status` is `published`). Only the series' creator or an
/// admin may put it in a series (`series_id`). An event that has already ended is refused
/// (422 on `ends_at`) unless `past` is `true` (a past edition recorded afterwards).
#[utoipa::path(tag = "events", request_body = CreateEventRequest, security(("bearer" = [])), responses(
        WriteErrors,
    (status = 201, body = EventResponse, headers(("ETag" = String))),
    (status = 403, body = Problem, content_type = "application/problem+json",
        description = "not an organiser, or the series (series_id) is another organiser's"),
))]
#[post("/events")]
#[tracing::instrument(skip_all)]
pub async fn create_event(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    body: Json<CreateEventRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let fields = EventFields::parse(body.draft())?;
    check_new_event_dates(&fields, body.past, state.db.now())?;
    let status = body.status.unwrap_or(EventStatus::Draft);
    let event = matinale_store::events::create(&state.db, &actor, fields, status, &body.co_organisers).await?;
    Ok(organised(event, StatusCode::CREATED))
}

/// Changes an event (its organisers only). Send `If-Match` with the ETag you read. Moving it
/// into a series is for the series' creator or an admin.
#[utoipa::path(tag = "events", request_body = PatchEventRequest, security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        PatchErrors,
        (status = 200, body = EventResponse, headers(("ETag" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json",
            description = "the caller may see the event but not change it, or the series (series_id) is another organiser's"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "status change not allowed, or new times (`starts_at`, `ends_at`) would leave a published meeting outside the event"),
))]
#[patch("/events/{id}")]
#[tracing::instrument(skip_all)]
pub async fn patch_event(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<PatchEventRequest>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_inner();
    if patch.status == Some(EventStatus::Cancelled) {
        return Err(ApiError::field(
            "status",
            "invalid_choice",
            "cancel with POST /events/{id}/cancel",
        ));
    }
    let event = matinale_store::events::update(&state.db, id.into_inner(), &actor, if_match.0, |current| {
        Ok(EventChange {
            fields: EventFields::parse(patched(&current.fields.to_draft(), &patch)?)?,
            status: patch.status,
            co_organisers: patch.co_organisers.clone(),
        })
    })
    .await?;
    Ok(organised(event, StatusCode::OK))
}

/// One event: published ones to anyone, drafts to their organisers only.
#[utoipa::path(tag = "events", params(("id" = Uuid, Path)), responses(
        ReadErrors,
    (status = 200, body = EventResponse, headers(("ETag" = String))),
))]
#[get("/events/{id}")]
pub async fn get_event(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let event = matinale_store::events::get_visible(&state.db, id.into_inner(), actor.as_ref()).await?;
    let organiser = actor.is_some_and(|a| event.is_organised_by(&a));
    Ok(etag::tagged(
        StatusCode::OK,
        event.version,
        EventResponse::new(event, organiser),
    ))
}

/// Public events (published or closed), soonest first, filtered.
#[utoipa::path(tag = "events", params(EventListQuery, PageQuery), responses(
        ListErrors,
    (status = 200, body = ListResponse<EventResponse>, headers(("Link" = String))),
))]
#[get("/events")]
pub async fn list_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    list: ListQuery<EventListQuery>,
) -> Result<HttpResponse, ApiError> {
    let filter = EventFilter::from(list.filter);
    let page = matinale_store::events::list_public(&state.db, &filter, list.page.parse()?).await?;
    Ok(paged(
        &req,
        ListResponse::from_page(page, |e| EventResponse::new(e, false)),
    ))
}

async fn transition(
    state: web::Data<AppState>,
    actor: matinale_domain::user::Actor,
    id: Uuid,
    to: EventStatus,
) -> Result<HttpResponse, ApiError> {
    let event = matinale_store::events::transition(&state.db, id, &actor, to).await?;
    Ok(organised(event, StatusCode::OK))
}

/// Publishes a draft (or re-opens a closed event).
#[utoipa::path(tag = "events", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 200, body = EventResponse),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "not allowed from the current status"),
))]
#[post("/events/{id}/publish")]
pub async fn publish_event(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    transition(state, actor, id.into_inner(), EventStatus::Published).await
}

/// Cancels an event.
#[utoipa::path(tag = "events", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 200, body = EventResponse),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "already cancelled"),
))]
#[post("/events/{id}/cancel")]
pub async fn cancel_event(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    transition(state, actor, id.into_inner(), EventStatus::Cancelled).await
}

/// Adds an item to the programme.
#[utoipa::path(tag = "events", params(("id" = Uuid, Path)), request_body = CreateProgrammeItemRequest,
    security(("bearer" = [])), responses(
        WriteErrors,
        (status = 201, body = ProgrammeItemResponse),
))]
#[post("/events/{id}/programme")]
#[tracing::instrument(skip_all)]
pub async fn add_programme_item(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    body: Json<CreateProgrammeItemRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let mut tz = chrono_tz::Europe::Paris;
    let item = matinale_store::events::add_programme_item(&state.db, id.into_inner(), &actor, |event| {
        tz = event.fields.timezone;
        NewProgrammeItem::parse(&event.fields, b.starts_at, b.ends_at, &b.title, b.kind, &b.speakers)
    })
    .await?;
    Ok(HttpResponse::Created().json(ProgrammeItemResponse::new(item, tz)))
}

/// The programme of a visible event, in time order.
#[utoipa::path(tag = "events", params(("id" = Uuid, Path)), responses(
        ReadErrors,
    (status = 200, body = Vec<ProgrammeItemResponse>),
))]
#[get("/events/{id}/programme")]
pub async fn get_programme(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let event = matinale_store::events::get_visible(&state.db, id.into_inner(), actor.as_ref()).await?;
    let tz = event.fields.timezone;
    let items = matinale_store::events::programme(&state.db, event.id).await?;
    let body: Vec<_> = items.into_iter().map(|i| ProgrammeItemResponse::new(i, tz)).collect();
    Ok(HttpResponse::Ok().json(body))
}
