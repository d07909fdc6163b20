//! Stands of an event: classic (an ESS structure) and inverted (a buyer presenting its needs).

use actix_web::{get, post, web, HttpResponse};
use matinale_domain::stand::{NewStand, Stand};
use uuid::Uuid;

use crate::dto::stands::{CreateStandRequest, StandResponse};
use crate::error::ApiError;
use crate::extract::{Caller, Json, SignedIn};
use crate::responses::{ReadErrors, WriteErrors};
use crate::state::AppState;

/// The stands with their holders' names, their times in the event's zone.
async fn respond(state: &AppState, event_id: Uuid, stands: Vec<Stand>) -> Result<Vec<StandResponse>, ApiError> {
    let tz = matinale_store::events::timezone(&state.db, event_id).await?;
    let mut out = Vec::with_capacity(stands.len());
    for s in stands {
        let org = matinale_store::organisations::get(&state.db, s.stand.organisation_id).await?;
        out.push(StandResponse::new(s, org.fields.name, tz));
    }
    Ok(out)
}

/// Adds a stand to an event (its organisers). A classic stand is held by an ESS structure, an
/// inverted one by a public buyer.
#[utoipa::path(tag = "stands", params(("id" = Uuid, Path)), request_body = CreateStandRequest,
    security(("bearer" = [])), responses(
        WriteErrors,
        (status = 201, body = StandResponse),
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
    let event_id = id.into_inner();
    let stand = matinale_store::stands::create(&state.db, event_id, &actor, b.organisation_id, |holder| {
        NewStand::parse(b.kind, b.organisation_id, holder, &b.title, &b.location)
    })
    .await?;
    let mut body = respond(&state, event_id, vec![stand]).await?;
    Ok(HttpResponse::Created().json(body.pop()))
}

/// The stands of a visible event, by location.
#[utoipa::path(tag = "stands", params(("id" = Uuid, Path)), responses(
        ReadErrors,
    (status = 200, body = Vec<StandResponse>),
))]
#[get("/events/{id}/stands")]
pub async fn list_stands(
    state: web::Data<AppState>,
    Caller(actor): Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let event = matinale_store::events::get_visible(&state.db, id.into_inner(), actor.as_ref()).await?;
    let stands = matinale_store::stands::list(&state.db, event.id).await?;
    Ok(HttpResponse::Ok().json(respond(&state, event.id, stands).await?))
}
