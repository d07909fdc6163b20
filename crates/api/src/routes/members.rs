//! Membership of organisations: members edit their organisation's profile and needs and
//! express interest on its behalf.

use actix_web::{delete, get, post, web, HttpResponse};
use matinale_domain::organisation::may_read_member_emails;
use uuid::Uuid;

use crate::dto::members::{AddMemberRequest, MemberResponse};
use crate::error::{ApiError, Problem};
use crate::extract::{Json, SignedIn};
use crate::responses::{OrganiserErrors, ReadErrors, WriteErrors};
use crate::state::AppState;

/// Adds an account to the members of an organisation (by one of its members or an admin),
/// named by its id or by its login e-mail. Adding an existing member changes nothing.
#[utoipa::path(tag = "organisations", params(("id" = Uuid, Path)), request_body = AddMemberRequest,
    security(("bearer" = [])), responses(
        WriteErrors,
        (status = 204, description = "the account is a member"),
))]
#[post("/organisations/{id}/members")]
#[tracing::instrument(skip_all)]
pub async fn add_member(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
    body: Json<AddMemberRequest>,
) -> Result<HttpResponse, ApiError> {
    let account = body.into_inner().account()?;
    matinale_store::organisations::add_member(&state.db, id.into_inner(), &actor, account).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The members of an organisation, by name: for its members, organisers and admins. Only its
/// members and admins see the e-mail addresses; other organisers get names and roles.
#[utoipa::path(tag = "organisations", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        ReadErrors,
    (status = 200, body = Vec<MemberResponse>),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "a member of another organisation"),
))]
#[get("/organisations/{id}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let members = matinale_store::organisations::members(&state.db, id.into_inner(), &actor).await?;
    let ids: Vec<Uuid> = members.iter().map(|m| m.user_id).collect();
    let with_email = may_read_member_emails(&actor, &ids);
    let body: Vec<MemberResponse> = members
        .into_iter()
        .map(|m| MemberResponse::new(m, with_email))
        .collect();
    Ok(HttpResponse::Ok().json(body))
}

/// Removes an account from the members of an organisation (by one of its members, who may
/// remove itself, or an admin). The last member cannot be removed (409).
#[utoipa::path(tag = "organisations", params(("id" = Uuid, Path), ("user_id" = Uuid, Path)),
    security(("bearer" = [])), responses(
        OrganiserErrors,
        (status = 204, description = "the account is no longer a member"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no such organisation, or the account is not a member"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the last member"),
))]
#[delete("/organisations/{id}/members/{user_id}")]
#[tracing::instrument(skip_all)]
pub async fn remove_member(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user_id) = path.into_inner();
    matinale_store::organisations::remove_member(&state.db, id, &actor, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
