//! Buyer needs, expressions of interest and suggestions of ESS structures.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono_tz::Tz;
use matinale_domain::need::{Need, NeedCategory, NeedFields, NeedFilter, NeedStatus};
use matinale_store::registrations::Credential;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use uuid::Uuid;

use super::{paged, ListQuery, PageQuery};
use crate::dto::needs::{
    CategoryResponse, CreateInterestRequest, CreateNeedRequest, InterestFrom, InterestResponse, NeedResponse,
    PatchNeedRequest, SuggestionsResponse,
};
use crate::dto::{patched, ListResponse};
use crate::error::{ApiError, Problem};
use crate::etag;
use crate::etag::IfMatch;
use crate::extract::{Caller, Json, RegistrationCaller, SignedIn};
use crate::responses::{OrganiserErrors, PatchErrors, ReadErrors, WriteErrors};
use crate::state::AppState;

/// The zone of a need's event, to answer its times in; a need attached to no event answers UTC.
async fn zone_of(state: &AppState, event_id: Option<Uuid>) -> Result<Option<Tz>, ApiError> {
    Ok(match event_id {
        Some(id) => Some(matinale_store::events::timezone(&state.db, id).await?),
        None => None,
    })
}

async fn respond(state: &AppState, need: Need, status: StatusCode) -> Result<HttpResponse, ApiError> {
    let tz = zone_of(state, need.fields.event_id).await?;
    Ok(etag::tagged(status, need.version, NeedResponse::new(need, tz)))
}

/// The taxonomy of needs with French labels.
#[utoipa::path(tag = "needs", responses((status = 200, body = Vec<CategoryResponse>)))]
#[get("/needs/categories")]
pub async fn list_categories() -> HttpResponse {
    let body: Vec<CategoryResponse> = NeedCategory::ALL
        .iter()
        .map(|c| CategoryResponse {
            code: *c,
            label: c.label_fr().to_owned(),
        })
        .collect();
    HttpResponse::Ok().json(body)
}

/// Publishes a need (a member of the buyer organisation, an organiser of its event, or an admin).
/// With an `event_id`, the need shows at that event (its inverted stands, `GET /needs?event=`)
/// only with the consent of the event's organisers: placed by one of them it shows at once
/// (`event_accepted: true`); a buyer's member only proposes it, until an organiser of the event
/// accepts it (`POST /needs/{id}/accept`). Moving a need onto another event proposes it again.
/// Posted by an organiser who is not a member of the buyer, it says so (`posted_by: organiser`).
#[utoipa::path(tag = "needs", request_body = CreateNeedRequest, security(("bearer" = [])), responses(
        WriteErrors,
    (status = 201, body = NeedResponse, headers(("ETag" = String))),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "status not allowed"),
))]
#[post("/needs")]
#[tracing::instrument(skip_all)]
pub async fn create_need(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    body: Json<CreateNeedRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let status = body.status.unwrap_or(NeedStatus::Draft);
    let fields = NeedFields::parse(body.draft())?;
    let need = matinale_store::needs::create(&state.db, &actor, fields, status).await?;
    respond(&state, need, StatusCode::CREATED).await
}

/// Needs, newest first, filtered: the public ones (open, closed, awarded) to anyone, and to a
/// signed-in member of the buyer, organiser of the need's event or admin, also the drafts
/// they may edit. Anonymous callers never see drafts.
#[utoipa::path(tag = "needs", params(NeedFilter, PageQuery), security((), ("bearer" = [])), responses(
        ReadErrors,
    (status = 200, body = ListResponse<NeedResponse>, headers(("Link" = String))),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "a bad or expired token"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "a bad filter, or status=draft without signing in"),
))]
#[get("/needs")]
pub async fn list_needs(
    req: HttpRequest,
    state: web::Data<AppState>,
    Caller(actor): Caller,
    list: ListQuery<NeedFilter>,
) -> Result<HttpResponse, ApiError> {
    let page = matinale_store::needs::list(&state.db, &list.filter, actor.as_ref(), list.page.parse()?).await?;
    let mut zones = HashMap::new();
    for event_id in page.items.iter().filter_map(|n| n.fields.event_id) {
        if let Entry::Vacant(slot) = zones.entry(event_id) {
            slot.insert(matinale_store::events::timezone(&state.db, event_id).await?);
        }
    }
    Ok(paged(
        &req,
        ListResponse::from_page(page, |n| {
            let tz = n.fields.event_id.and_then(|e| zones.get(&e).copied());
            NeedResponse::new(n, tz)
        }),
    ))
}

/// One need: public unless a draft, which only its editors see.
#[utoipa::path(tag = "needs", params(("id" = Uuid, Path)), responses(
        ReadErrors,
    (status = 200, body = NeedResponse, headers(("ETag" = String))),
))]
#[get("/needs/{id}")]
pub async fn get_need(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let need = matinale_store::needs::get_visible(&state.db, id.into_inner(), actor.as_ref()).await?;
    respond(&state, need, StatusCode::OK).await
}

/// Accepts a need a buyer proposed for an event: from then on it shows at the event
/// (`event_accepted: true`). For the organisers of the need's event and admins; accepting again
/// changes nothing.
#[utoipa::path(tag = "needs", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        ReadErrors,
    (status = 200, body = NeedResponse, headers(("ETag" = String))),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "the caller does not organise the need's event"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "the need names no event (event_id)"),
))]
#[post("/needs/{id}/accept")]
#[tracing::instrument(skip_all)]
pub async fn accept_need(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let need = matinale_store::needs::accept_at_event(&state.db, id.into_inner(), &actor).await?;
    respond(&state, need, StatusCode::OK).await
}

/// Changes a need (its editors). Send `If-Match` with the ETag you read.
#[utoipa::path(tag = "needs", request_body = PatchNeedRequest, security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        PatchErrors,
        (status = 200, body = NeedResponse, headers(("ETag" = String))),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "status change not allowed"),
))]
#[patch("/needs/{id}")]
#[tracing::instrument(skip_all)]
pub async fn patch_need(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<PatchNeedRequest>,
) -> Result<HttpResponse, ApiError> {
    let patch = body.into_inner();
    let need = matinale_store::needs::update(&state.db, id.into_inner(), &actor, if_match.0, |current| {
        let fields = NeedFields::parse(patched(&current.fields.to_draft(), &patch)?)?;
        Ok((fields, patch.status))
    })
    .await?;
    respond(&state, need, StatusCode::OK).await
}

/// Expresses the interest of an ESS structure in an open need: either a member of the
/// structure (account token, `organisation_id`), or an ESS-structure registrant of the need's
/// event (its manage token, `registration_id`; the interest is recorded for the registration's
/// organisation, which must be confirmed: see `organisation_confirmed` on the registration).
/// One per structure and need, whichever way it came (409). It also counts as a meeting wish
/// (priority 2) from the structure to the buyer.
#[utoipa::path(tag = "needs", params(("id" = Uuid, Path)), request_body = CreateInterestRequest,
    security(("bearer" = [])), responses(
        WriteErrors,
        (status = 201, body = InterestResponse),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not a member of that structure"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such need (or a draft), or a registration that is not the token's own"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "already expressed by the structure, the need is not open, or the registration is cancelled"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "neither or both of organisation_id and registration_id, or a registration that does not fit (category, event, organisation, or organisation not confirmed: code organisation_unconfirmed)"),
))]
#[post("/needs/{id}/interests")]
#[tracing::instrument(skip_all)]
pub async fn create_interest(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
    body: Json<CreateInterestRequest>,
) -> Result<HttpResponse, ApiError> {
    let (from, message) = body.into_inner().parse()?;
    let need_id = id.into_inner();
    let interest = match (from, who) {
        (InterestFrom::Member(org), Credential::User(actor)) => {
            matinale_store::needs::add_interest(&state.db, need_id, &actor, org, message).await?
        }
        (InterestFrom::Registration(reg), who) => {
            matinale_store::needs::add_registrant_interest(&state.db, need_id, &who, reg, message).await?
        }
        (InterestFrom::Member(_), Credential::Registrant(_)) => {
            return Err(ApiError::field(
                "organisation_id",
                "not_allowed",
                "a manage token speaks for its registration: send registration_id instead",
            ))
        }
    };
    let tz = matinale_store::events::timezone_of_need(&state.db, need_id).await?;
    Ok(HttpResponse::Created().json(InterestResponse::new(interest, tz)))
}

/// Withdraws an interest: its author (the manage token of the registration it came through),
/// a member of its ESS structure, or an organiser of the need's event. The wish it implied
/// goes with it.
#[utoipa::path(tag = "needs", params(("id" = Uuid, Path), ("interest_id" = Uuid, Path)),
    security(("bearer" = [])), responses(
        ReadErrors,
        (status = 204),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such interest in this need, or not the caller's to withdraw"),
))]
#[delete("/needs/{id}/interests/{interest_id}")]
#[tracing::instrument(skip_all)]
pub async fn withdraw_interest(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (need_id, interest_id) = path.into_inner();
    matinale_store::needs::withdraw_interest(&state.db, need_id, interest_id, &who).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The interests in a need, for its editors (the buyer side).
#[utoipa::path(tag = "needs", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 200, body = Vec<InterestResponse>),
))]
#[get("/needs/{id}/interests")]
pub async fn list_interests(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let need_id = id.into_inner();
    let interests = matinale_store::needs::interests(&state.db, need_id, &actor).await?;
    let tz = matinale_store::events::timezone_of_need(&state.db, need_id).await?;
    let body: Vec<InterestResponse> = interests.into_iter().map(|i| InterestResponse::new(i, tz)).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// The 50 ESS structures best ranked for a need by sector, perimeter and reserved-market
/// eligibility, with the reasons. For a reserved market, structures that may not bid are left out.
#[utoipa::path(tag = "needs", params(("id" = Uuid, Path)), responses(
        ReadErrors,
    (status = 200, body = SuggestionsResponse),
))]
#[get("/needs/{id}/suggestions")]
pub async fn list_suggestions(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let ranked = matinale_store::needs::suggestions(&state.db, id.into_inner(), actor.as_ref()).await?;
    Ok(HttpResponse::Ok().json(SuggestionsResponse {
        items: ranked.into_iter().map(Into::into).collect(),
    }))
}
