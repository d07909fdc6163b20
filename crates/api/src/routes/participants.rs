//! Who takes part in an event's speed meetings, for its registrants (to choose whom to wish
//! for) and its organisers.

use actix_web::{get, web, HttpRequest, HttpResponse};
use matinale_domain::meeting::Side;
use matinale_store::participants::{Participant, ParticipantFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{paged, PageQuery};
use crate::dto::ListResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{Query, RegistrationCaller};
use crate::state::AppState;

/// The two sides of speed meetings, as registration categories.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantCategory {
    /// A public buyer.
    Buyer,
    /// An ESS structure.
    EssStructure,
}

impl From<ParticipantCategory> for Side {
    fn from(c: ParticipantCategory) -> Self {
        match c {
            ParticipantCategory::Buyer => Side::Buyer,
            ParticipantCategory::EssStructure => Side::Supplier,
        }
    }
}

impl From<Side> for ParticipantCategory {
    fn from(s: Side) -> Self {
        match s {
            Side::Buyer => ParticipantCategory::Buyer,
            Side::Supplier => ParticipantCategory::EssStructure,
        }
    }
}

/// Filters of `GET /events/{id}/participants`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParticipantListQuery {
    /// Only this side.
    pub category: Option<ParticipantCategory>,
    /// Words in the organisation or the shown name (accents and case ignored).
    pub q: Option<String>,
}

/// An open need of a buyer, by title (`GET /needs/{id}` has the rest).
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantNeed {
    /// The need.
    pub id: Uuid,
    /// Its title.
    pub title: String,
}

/// A participant of the speed meetings. Never an e-mail or a phone number.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantResponse {
    /// The registration: `to_registration_id` of a wish.
    pub registration_id: Uuid,
    /// Buyer or ESS structure.
    pub category: ParticipantCategory,
    /// The name of the organisation the registration names, if any.
    pub organisation: Option<String>,
    /// That organisation.
    pub organisation_id: Option<Uuid>,
    /// First and last name, only if the person consented to share contact details.
    pub name: Option<String>,
    /// Takes part in speed meetings (always true in a registrant's list).
    pub takes_part: bool,
    /// For a buyer, the open needs of its organisation at the event; empty otherwise.
    pub needs: Vec<ParticipantNeed>,
}

impl From<Participant> for ParticipantResponse {
    fn from(p: Participant) -> Self {
        Self {
            registration_id: p.registration_id,
            category: p.side.into(),
            organisation: p.organisation,
            organisation_id: p.organisation_id,
            name: p.name,
            takes_part: p.takes_part,
            needs: p
                .needs
                .into_iter()
                .map(|n| ParticipantNeed {
                    id: n.id,
                    title: n.title,
                })
                .collect(),
        }
    }
}

/// The buyers and ESS structures taking part in an event's speed meetings (confirmed or
/// checked in; never partners or visitors), by organisation then name. For the manage token
/// of a confirmed or checked-in buyer or ESS structure of this event, who sees those taking
/// part; or an organiser of the event, who also sees those who opted out (`takes_part: false`).
#[utoipa::path(tag = "meetings", params(("id" = Uuid, Path), ParticipantListQuery, PageQuery),
    security(("bearer" = [])), responses(
        (status = 200, body = ListResponse<ParticipantResponse>, headers(("Link" = String))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
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
    filter: Query<ParticipantListQuery>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = page.0.parse()?;
    let filter = ParticipantFilter {
        side: filter.0.category.map(Side::from),
        q: filter.0.q,
    };
    let list = matinale_store::participants::list(&state.db, id.into_inner(), &who, filter, page).await?;
    Ok(paged(&req, ListResponse::from_page(list, ParticipantResponse::from)))
}
