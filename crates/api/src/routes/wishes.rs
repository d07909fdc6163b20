//! Wishes to meet in speed meetings: made by a registrant (its manage token) or an organiser
//! for them, listed, withdrawn, and declined by the other side.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use matinale_domain::meeting::WishPriority;
use matinale_store::wishes::{NewWish, RegistrationWishes, Wish, WishSource};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, Problem};
use crate::extract::{Json, RegistrationCaller};
use crate::state::AppState;

/// `POST /events/{id}/wishes`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWishRequest {
    /// Who wishes: the registration whose manage token is the bearer, or any registration of
    /// the event for an organiser.
    pub from_registration_id: Uuid,
    /// Whom: a buyer for an ESS structure, an ESS structure for a buyer.
    pub to_registration_id: Uuid,
    /// 1 (nice to meet) to 3 (must meet).
    pub priority: i64,
}

/// Where a wish comes from.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WishSourceResponse {
    /// Made with `POST /events/{id}/wishes`.
    Wish,
    /// Implied by an expression of interest on a buyer's need (priority 2).
    Interest,
}

/// A wish to meet.
#[derive(Debug, Serialize, ToSchema)]
pub struct WishResponse {
    /// Id: the wish's, or the interest's for one implied by an interest.
    pub id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// Who wishes.
    pub from_registration_id: Uuid,
    /// Whom.
    pub to_registration_id: Uuid,
    /// 1 to 3.
    pub priority: u8,
    /// Made, or implied by an interest.
    pub source: WishSourceResponse,
    /// The need of the interest; `null` for a wish made.
    pub need_id: Option<Uuid>,
    /// One side declined the pair: it is never scheduled.
    pub declined: bool,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<Wish> for WishResponse {
    fn from(w: Wish) -> Self {
        let Wish {
            event_id,
            wish,
            declined,
        } = w;
        Self {
            id: wish.id,
            event_id,
            from_registration_id: wish.from_registration_id,
            to_registration_id: wish.to_registration_id,
            priority: wish.priority.get(),
            source: match wish.source {
                WishSource::Direct => WishSourceResponse::Wish,
                WishSource::Interest => WishSourceResponse::Interest,
            },
            need_id: wish.need_id,
            declined,
            created_at: wish.created_at,
        }
    }
}

/// The wishes of a registration.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationWishesResponse {
    /// Made by it, oldest first: directly, then through its interests.
    pub made: Vec<WishResponse>,
    /// Made to it, the same way.
    pub received: Vec<WishResponse>,
}

impl From<RegistrationWishes> for RegistrationWishesResponse {
    fn from(w: RegistrationWishes) -> Self {
        Self {
            made: w.made.into_iter().map(Into::into).collect(),
            received: w.received.into_iter().map(Into::into).collect(),
        }
    }
}

/// Makes a wish to meet: from a buyer to an ESS structure or the other way, between live
/// (confirmed or attended) registrations of the event; at most 30 per person. Send the `from`
/// registration's manage token, or sign in as an organiser of the event.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), request_body = CreateWishRequest,
    security(("bearer" = [])), responses(
        (status = 201, body = WishResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
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
    Ok(HttpResponse::Created().json(WishResponse::from(wish)))
}

/// The wishes a registration made and received, those implied by expressions of interest
/// included: its manage token or an organiser of its event.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, body = RegistrationWishesResponse),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/registrations/{id}/wishes")]
pub async fn registration_wishes(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let wishes = matinale_store::wishes::of_registration(&state.db, id.into_inner(), &who).await?;
    Ok(HttpResponse::Ok().json(RegistrationWishesResponse::from(wishes)))
}

/// Withdraws a wish: the `from` registration's manage token or an organiser of the event. A
/// wish implied by an interest is not found here: withdraw the interest.
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 204),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
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
    (status = 200, body = WishResponse),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
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
    Ok(HttpResponse::Ok().json(WishResponse::from(wish)))
}
