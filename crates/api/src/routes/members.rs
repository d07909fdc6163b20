//! Membership of organisations: members edit their organisation's profile and needs and
//! express interest on its behalf.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, Problem};
use crate::extract::{Json, SignedIn};
use crate::state::AppState;

/// `POST /organisations/{id}/members`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    /// The account to add (typically created with role `member` by an admin).
    pub user_id: Uuid,
}

/// Adds an account to the members of an organisation (by one of its members or an admin).
/// Adding an existing member changes nothing.
#[utoipa::path(tag = "organisations", params(("id" = Uuid, Path)), request_body = AddMemberRequest,
    security(("bearer" = [])), responses(
        (status = 204, description = "the account is a member"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/organisations/{id}/members")]
#[tracing::instrument(skip_all)]
pub async fn add_member(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    body: Json<AddMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    matinale_store::organisations::add_member(&state.db, id.into_inner(), &actor, body.into_inner().user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
