//! On the day: a registration's presence (an organiser's mark, the person's arrival and
//! leaving) and the re-plan of the rest of a meeting block from who actually came.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use crate::dto::replan::{
    PresenceRequest, PresenceResponse, RegistrationPresenceResponse, ReplanRequest, ReplanResponse,
};
use crate::dto::ListResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{parse_json, Json, Query, RegistrationCaller, SignedIn};
use crate::responses::{OrganiserListErrors, ReadErrors, WriteErrors};
use crate::state::AppState;

use super::{paged, PageQuery};

/// Says who is there: an organiser of the event marks the person present or absent for the
/// rest of the block (`present`, over the check-in); the person (its own token) or an
/// organiser says when it arrives (`from_slot_id`) or leaves (`until_slot_id`), slots of the
/// event's meeting blocks. Read by the next re-plan.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), request_body = PresenceRequest,
    security(("bearer" = [])), responses(
        WriteErrors,
    (status = 200, body = PresenceResponse),
))]
#[post("/registrations/{id}/presence")]
pub async fn set_presence(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
    body: Json<PresenceRequest>,
) -> Result<HttpResponse, ApiError> {
    let p = matinale_store::presence::set(&state.db, id.into_inner(), &who, body.into_inner().into()).await?;
    Ok(HttpResponse::Ok().json(PresenceResponse::from(p)))
}

/// A registration's presence, with the event's meeting slots in time order (the slots
/// `from_slot_id` and `until_slot_id` may name): its manage token or an organiser of its event.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        ReadErrors,
    (status = 200, body = RegistrationPresenceResponse),
))]
#[get("/registrations/{id}/presence")]
pub async fn get_presence(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (presence, slots) = matinale_store::presence::get(&state.db, id.into_inner(), &who).await?;
    Ok(HttpResponse::Ok().json(RegistrationPresenceResponse {
        presence: presence.into(),
        slots,
    }))
}

/// The presence of the event's confirmed and checked-in registrations, by registration id:
/// checked in, an organiser's mark, an arrival or a leaving said. For its organisers.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path), PageQuery), security(("bearer" = [])), responses(
        OrganiserListErrors,
    (status = 200, body = ListResponse<PresenceResponse>, headers(("Link" = String))),
))]
#[get("/events/{id}/presences")]
pub async fn list_presences(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let list = matinale_store::presence::list(&state.db, id.into_inner(), &actor, page.0.parse()?).await?;
    Ok(paged(&req, ListResponse::from_page(list, PresenceResponse::from)))
}

/// Re-plans the rest of the block from who actually came, and publishes it at once: from
/// `from_slot_id` on (default the next slot to start), every published meeting whose two
/// sides are there (checked in or marked present, or arriving later) stays exactly as it is;
/// every meeting with an absent side is cancelled; the freed places are filled among the
/// people there by the scheduler, wishes not yet met first, kept meetings fixed. Everyone
/// whose agenda changed is mailed (`METHOD:CANCEL`, or the agenda's `METHOD:REQUEST`s).
/// One re-plan (or schedule run) at a time per event; check-ins go on meanwhile.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), request_body(content = Option<ReplanRequest>),
    security(("bearer" = [])), responses(
        WriteErrors,
    (status = 200, body = ReplanResponse),
    (status = 409, body = Problem, content_type = "application/problem+json",
        description = "another re-plan or schedule run for this event is under way, no slot is still to start, or the timetable changed meanwhile"),
))]
#[post("/events/{id}/schedule/replan")]
#[tracing::instrument(skip_all)]
pub async fn replan(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let request: ReplanRequest = optional_body(&body)?;
    let r = matinale_store::replan::replan(&state.db, id.into_inner(), &actor, request.from_slot_id).await?;
    Ok(HttpResponse::Ok().json(ReplanResponse::from(r)))
}

/// An optional JSON body: empty is the default, else parsed as [`parse_json`] does.
pub(crate) fn optional_body<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, ApiError> {
    // No body, or a JSON `null`, is the default request.
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        Ok(parse_json::<Option<T>>(body)?.unwrap_or_default())
    }
}
