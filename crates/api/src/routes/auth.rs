//! Bearer tokens for organisers and admins.

use actix_web::{post, web, HttpRequest, HttpResponse};

use crate::dto::{TokenRequest, TokenResponse};
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::state::AppState;

/// Exchanges e-mail and password for a bearer token (12 h). Rate-limited per client address.
#[utoipa::path(tag = "auth", request_body = TokenRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "bad credentials"),
    (status = 429, body = Problem, content_type = "application/problem+json", description = "too many attempts"),
))]
#[post("/auth/token")]
#[tracing::instrument(skip_all)]
pub async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let client = req.peer_addr().map(|a| a.ip());
    if let Some(ip) = client {
        state
            .login_limiter
            .check_key(&ip)
            .map_err(|_| ApiError::TooManyRequests(60))?;
    }
    let body = body.into_inner();
    let user = matinale_store::accounts::authenticate(&state.db, &body.email, &body.password)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("wrong e-mail or password".into()))?;
    let (token, expires_at) = matinale_store::accounts::issue_token(&state.db, user.id).await?;
    Ok(HttpResponse::Ok().json(TokenResponse { token, expires_at }))
}
