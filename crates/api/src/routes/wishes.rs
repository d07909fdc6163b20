//! Wishes to meet in speed meetings: made by a registrant (its manage token) or an organiser
//! for them, listed, withdrawn, and declined by the other side.

use actix_web::{delete, get, post, web, HttpResponse};
use matinale_domain::meeting::WishPriority;
use matinale_store::wishes::NewWish;
use uuid::Uuid;

use crate::dto::wishes::{CreateWishRequest, RegistrationWishesResponse, WishResponse};
use crate::error::{ApiError, Problem};
use crate::extract::{Json, RegistrationCaller};
use crate::responses::{OrganiserErrors, ReadErrors, WriteErrors};
use crate::state::AppState;

/// Makes a wish to meet: from a buyer to an ESS structure or the other way, between live
/// (confirmed or attended) registrations of the event; at most 30 per person. Send the `from`
/// registration's manage token, or sign in as an organiser of the event.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), request_body = CreateWishRequest,
    security(("bearer" = [])), responses(
        WriteErrors,
        (status = 201, body = WishResponse),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "not an organiser of this event"),
        (status = 404, body = Problem, content_type = "application/problem+json",
            description = "no such event, or a manage token of another registration than from_registration_id"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "this wish is already made"),
        (status = 422, body = Problem, content_type = "application/problem+json",
            description = "priority out of 1..3; unknown, same-side, partner or visitor, other-event, cancelled or waitlisted registration; more than 30 wishes (`too_many`)"),
))]
#[post("/events/{id}/wishes")]
#[tracing::instrument(skip_all)]
pub async fn create_wish(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
    body: Json<CreateWishRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let new = NewWish {
        from_registration_id: body.from_registration_id,
        to_registration_id: body.to_registration_id,
        priority: WishPriority::parse(body.priority)?,
    };
    let wish = matinale_store::wishes::make(&state.db, id.into_inner(), &who, new).await?;
    let tz = matinale_store::events::timezone(&state.db, wish.event_id).await?;
    Ok(HttpResponse::Created().json(WishResponse::new(wish, tz)))
}

/// The wishes a registration made and received, those implied by expressions of interest
/// included: its manage token or an organiser of its event.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        ReadErrors,
    (status = 200, body = RegistrationWishesResponse),
))]
#[get("/registrations/{id}/wishes")]
pub async fn registration_wishes(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let wishes = matinale_store::wishes::of_registration(&state.db, id.into_inner(), &who).await?;
    // Every wish is of the registration's event; without any there is no time to answer.
    let tz = match wishes.made.iter().chain(&wishes.received).next() {
        Some(w) => matinale_store::events::timezone(&state.db, w.event_id).await?,
        None => chrono_tz::UTC,
    };
    Ok(HttpResponse::Ok().json(RegistrationWishesResponse::new(wishes, tz)))
}

/// Withdraws a wish: the `from` registration's manage token or an organiser of the event. A
/// wish implied by an interest is not found here: withdraw the interest.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 204),
))]
#[delete("/wishes/{id}")]
#[tracing::instrument(skip_all)]
pub async fn delete_wish(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    matinale_store::wishes::withdraw(&state.db, id.into_inner(), &who).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Declines a wish, made or implied by an interest: the pair is never scheduled, whoever
/// wished it. The `to` registration's manage token or an organiser of the event; declining
/// again changes nothing.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        OrganiserErrors,
    (status = 200, body = WishResponse),
    (status = 404, body = Problem, content_type = "application/problem+json",
        description = "no such wish, or a manage token of another registration than the wish's `to` side"),
))]
#[post("/wishes/{id}/decline")]
#[tracing::instrument(skip_all)]
pub async fn decline_wish(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let wish = matinale_store::wishes::decline(&state.db, id.into_inner(), &who).await?;
    let tz = matinale_store::events::timezone(&state.db, wish.event_id).await?;
    Ok(HttpResponse::Ok().json(WishResponse::new(wish, tz)))
}
