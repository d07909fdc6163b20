//! Stands of an event: classic (an ESS structure) and inverted (a buyer presenting its needs).

use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use matinale_domain::stand::{NewStand, Stand, StandKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, Problem};
use crate::extract::{Caller, Json, SignedIn};
use crate::state::AppState;

/// `POST /events/{id}/stands`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStandRequest {
    /// `classic` (held by an ESS structure) or `inverted` (held by a public buyer).
    pub kind: StandKind,
    /// The organisation holding the stand.
    pub organisation_id: Uuid,
    /// Title.
    pub title: String,
    /// Location label, such as "Salle des fêtes, stand 4".
    #[serde(default)]
    pub location: String,
}

/// A stand.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandResponse {
    /// Id.
    pub id: Uuid,
    /// Event.
    pub event_id: Uuid,
    /// Kind.
    pub kind: StandKind,
    /// Holder.
    pub organisation_id: Uuid,
    /// Holder's name.
    pub organisation_name: String,
    /// Title.
    pub title: String,
    /// Location label.
    pub location: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl StandResponse {
    fn new(s: Stand, organisation_name: String) -> Self {
        Self {
            id: s.id,
            event_id: s.event_id,
            kind: s.stand.kind,
            organisation_id: s.stand.organisation_id,
            organisation_name,
            title: s.stand.title,
            location: s.stand.location,
            created_at: s.created_at,
        }
    }
}

async fn respond(state: &AppState, stands: Vec<Stand>) -> Result<Vec<StandResponse>, ApiError> {
    let mut out = Vec::with_capacity(stands.len());
    for s in stands {
        let org = matinale_store::organisations::get(&state.db, s.stand.organisation_id).await?;
        out.push(StandResponse::new(s, org.fields.name));
    }
    Ok(out)
}

/// Adds a stand to an event (its organisers). A classic stand is held by an ESS structure, an
/// inverted one by a public buyer.
#[utoipa::path(tag = "stands", params(("id" = Uuid, Path)), request_body = CreateStandRequest,
    security(("bearer" = [])), responses(
        (status = 201, body = StandResponse),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/events/{id}/stands")]
#[tracing::instrument(skip_all)]
pub async fn create_stand(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    body: Json<CreateStandRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let stand = matinale_store::stands::create(&state.db, id.into_inner(), &actor, b.organisation_id, |holder| {
        NewStand::parse(b.kind, b.organisation_id, holder, &b.title, &b.location)
    })
    .await?;
    let mut body = respond(&state, vec![stand]).await?;
    Ok(HttpResponse::Created().json(body.pop()))
}

/// The stands of a visible event, by location.
#[utoipa::path(tag = "stands", params(("id" = Uuid, Path)), responses(
    (status = 200, body = Vec<StandResponse>),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/events/{id}/stands")]
pub async fn list_stands(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let event = matinale_store::events::get_visible(&state.db, id.into_inner(), actor.as_ref()).await?;
    let stands = matinale_store::stands::list(&state.db, event.id).await?;
    Ok(HttpResponse::Ok().json(respond(&state, stands).await?))
}
