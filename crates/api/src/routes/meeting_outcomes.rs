//! After the meetings: attendance marked by an organiser, and what came of each meeting as
//! either side (its manage token) or an organiser reports it.

use actix_web::{get, post, web, HttpResponse};
use matinale_domain::outcome::AttendanceMark;
use matinale_store::registrations::Credential;
use uuid::Uuid;

use super::PageQuery;
use crate::dto::outcomes::{AttendanceRequest, AttendanceResponse, MeetingOutcomesResponse, OutcomeRequest};
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query, RegistrationCaller, SignedIn};
use crate::responses::{OrganiserErrors, WriteErrors};
use crate::state::AppState;

/// Marks a published meeting `held`, or `no_show` with who was `absent` (required then). The
/// mark wins over check-ins, which otherwise decide once the meeting's block is over (both
/// checked in: held; a side not: no-show). The meeting's `status` in the timetable follows.
/// Organisers of the event.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), request_body = AttendanceRequest,
    security(("bearer" = [])), responses(
        WriteErrors,
        (status = 200, body = AttendanceResponse),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the meeting was cancelled"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`absent` missing for a no_show or given for held; an unknown status"),
))]
#[post("/meetings/{id}/attendance")]
#[tracing::instrument(skip_all)]
pub async fn mark_attendance(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    body: Json<AttendanceRequest>,
) -> Result<HttpResponse, ApiError> {
    let mark = AttendanceMark::try_from(body.into_inner())?;
    let facts =
        matinale_store::outcomes::mark_attendance(&state.db, id.into_inner(), &actor, mark, state.db.now()).await?;
    Ok(HttpResponse::Ok().json(AttendanceResponse::from(facts)))
}

/// Records what came of a meeting for one side: `none`, `quote_requested`, `contract_signed`
/// or `reserved_market_awarded`, with an amount in euros (0 to 100,000,000, at most 2
/// decimals) and a comment (2,000 characters at most). Either side with its manage token (its
/// own side), or an organiser of the event, who says which `side`. One outcome per side counts,
/// the latest; the 20 latest of each side are kept in the history (older ones are dropped).
/// Only a meeting that took place (`held`) takes one: planned, no-show or cancelled is a 409
/// whose detail starts with `meeting`. The answer holds the latest outcome of each side the
/// caller may see (a manage token: its own side), without the history. Writes with a manage
/// token are limited per registration (`outcome_writes_per_minute`, 10 by default): 429 with
/// `Retry-After` beyond. Another registration's token: 404.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), request_body = OutcomeRequest,
    security(("bearer" = [])), responses(
        WriteErrors,
        (status = 201, body = MeetingOutcomesResponse),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "unknown meeting, or a token of neither side"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "meeting: the meeting has not taken place (planned, no-show) or was cancelled"),
        (status = 429, body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "seconds to wait")),
            description = "too many outcomes recorded with this manage token"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "an unknown outcome, an amount below 0, above 100 M€ or with more than 2 decimals, a comment too long, a side missing (organiser) or not the token's"),
))]
#[post("/meetings/{id}/outcome")]
#[tracing::instrument(skip_all)]
pub async fn record_outcome(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
    body: Json<OutcomeRequest>,
) -> Result<HttpResponse, ApiError> {
    if let Credential::Registrant(own) = &who {
        state.admit_outcome(*own)?;
    }
    let (new, side) = body.into_inner().parse()?;
    let outcomes = matinale_store::outcomes::record(&state.db, id.into_inner(), &who, side, new).await?;
    let tz = matinale_store::events::timezone_of_meeting(&state.db, outcomes.meeting_id).await?;
    Ok(HttpResponse::Created().json(MeetingOutcomesResponse::new(outcomes, tz)))
}

/// The outcomes of a meeting: the latest of each side (what counts) and one page of the history
/// kept (`?page=&per_page=`, newest first). An organiser of the event reads both sides; either
/// side, with its manage token, its own side only (outcomes and comments).
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path), PageQuery), security(("bearer" = [])), responses(
    OrganiserErrors,
    (status = 200, body = MeetingOutcomesResponse),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "unknown meeting, or a token of neither side"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "page or per_page out of range (per_page 1-200)"),
))]
#[get("/meetings/{id}/outcomes")]
pub async fn meeting_outcomes(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page.0.parse()?;
    let outcomes = matinale_store::outcomes::of_meeting(&state.db, id.into_inner(), &who, page).await?;
    let tz = matinale_store::events::timezone_of_meeting(&state.db, outcomes.meeting_id).await?;
    Ok(HttpResponse::Ok().json(MeetingOutcomesResponse::new(outcomes, tz)))
}
