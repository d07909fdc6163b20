//! Accounts, created by admins.

use actix_web::{post, web, HttpResponse};
use matinale_domain::user::NewUser;

use crate::dto::users::{CreateUserRequest, UserResponse};
use crate::error::{ApiError, Problem};
use crate::extract::{Json, SignedIn};
use crate::responses::WriteErrors;
use crate::state::AppState;

/// Creates an organiser or admin account (admins only).
#[utoipa::path(tag = "users", request_body = CreateUserRequest, security(("bearer" = [])), responses(
        WriteErrors,
    (status = 201, body = UserResponse),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "e-mail taken"),
))]
#[post("/users")]
#[tracing::instrument(skip_all)]
pub async fn create_user(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    body: Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    if !actor.is_admin() {
        return Err(ApiError::Forbidden);
    }
    let body = body.into_inner();
    let new = NewUser::parse(&body.email, &body.name, body.role, &body.password)?;
    let user = matinale_store::accounts::create_user(&state.db, new).await?;
    Ok(HttpResponse::Created().json(UserResponse::from(user)))
}
