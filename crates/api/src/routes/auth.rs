//! Bearer tokens for organisers and admins.

use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};

use crate::dto::auth::{TokenRequest, TokenResponse};
use crate::error::{ApiError, Problem};
use crate::extract::{BearerToken, Json};
use crate::responses::{ReadErrors, WriteErrors};
use crate::state::AppState;

/// Exchanges e-mail and password for a bearer token (12 h). Rate-limited per client address
/// (behind `MATINALE_TRUSTED_PROXIES`, the address they forward) and per e-mail.
#[utoipa::path(tag = "auth", request_body = TokenRequest, responses(
        WriteErrors,
    (status = 200, body = TokenResponse, headers(("Cache-Control" = String, description = "no-store"))),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "bad credentials"),
    (status = 429, body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = String, description = "seconds to wait")),
        description = "too many attempts from this address or for this e-mail"),
))]
#[post("/auth/token")]
#[tracing::instrument(skip_all)]
pub async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    state.admit_login(state.client_address(&req), &body.email)?;
    let user = matinale_store::accounts::authenticate(&state.db, &body.email, &body.password, &state.password_checks)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("wrong e-mail or password".into()))?;
    let (token, expires_at) = matinale_store::accounts::issue_token(&state.db, user.id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenResponse { token, expires_at }))
}

/// Signs out: the bearer token of the request stops working at once.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses(
        ReadErrors,
    (status = 204, description = "the token is revoked"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "no token, or an unknown or expired one"),
))]
#[post("/auth/logout")]
#[tracing::instrument(skip_all)]
pub async fn logout(state: web::Data<AppState>, BearerToken(token): BearerToken) -> Result<HttpResponse, ApiError> {
    if matinale_store::accounts::revoke_token(&state.db, &token).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::Unauthorized("the token is unknown or expired".into()))
    }
}
