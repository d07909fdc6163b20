//! Who takes part in an event's speed meetings, for its registrants (to choose whom to wish
//! for) and its organisers.

use actix_web::{get, web, HttpRequest, HttpResponse};
use matinale_store::participants::ParticipantFilter;
use uuid::Uuid;

use super::{paged, ListQuery, PageQuery};
use crate::dto::participants::{ParticipantListQuery, ParticipantResponse};
use crate::dto::ListResponse;
use crate::error::{ApiError, Problem};
use crate::extract::RegistrationCaller;
use crate::responses::ReadErrors;
use crate::state::AppState;

/// The buyers and ESS structures taking part in an event's speed meetings (confirmed or
/// checked in; never partners or visitors), by organisation then name. For the manage token
/// of a confirmed or checked-in buyer or ESS structure of this event, who sees those taking
/// part; or an organiser of the event, who also sees those who opted out (`takes_part: false`).
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path), ParticipantListQuery, PageQuery),
    security(("bearer" = [])), responses(
        ReadErrors,
        (status = 200, body = ListResponse<ParticipantResponse>, headers(("Link" = String))),
        (status = 403, body = Problem, content_type = "application/problem+json",
            description = "a token of a waitlisted, cancelled or absent registration, or of a partner or visitor; an account that does not organise this event"),
        (status = 404, body = Problem, content_type = "application/problem+json",
            description = "no such event, or a manage token of another event's registration"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "bad category, page or per_page"),
))]
#[get("/events/{id}/participants")]
pub async fn list_participants(
    req: HttpRequest,
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
    list: ListQuery<ParticipantListQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = list.page.parse()?;
    let filter = ParticipantFilter::from(list.filter);
    let list = matinale_store::participants::list(&state.db, id.into_inner(), &who, filter, page).await?;
    Ok(paged(&req, ListResponse::from_page(list, ParticipantResponse::from)))
}
