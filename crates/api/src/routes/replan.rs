//! On the day: a registration's presence (an organiser's mark, the person's arrival and
//! leaving) and the re-plan of the rest of a meeting block from who actually came.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use crate::dto::replan::{PresenceRequest, PresenceResponse, ReplanRequest, ReplanResponse};
use crate::error::{ApiError, Problem};
use crate::extract::{parse_json, Json, RegistrationCaller, SignedIn};
use crate::responses::WriteErrors;
use crate::state::AppState;

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
