//! The signed-in account's own views: who it is, its organisations, the events it organises.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};

use super::{paged, PageQuery};
use crate::dto::account::{AccountResponse, OrganisedEventResponse};
use crate::dto::ListResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{parse_query, SignedIn};
use crate::responses::ReadErrors;
use crate::state::AppState;

/// The account behind the bearer token, with the organisations it is a member of.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses(
        ReadErrors,
    (status = 200, body = AccountResponse, headers(("Cache-Control" = String, description = "no-store"))),
))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, SignedIn(actor): SignedIn) -> Result<HttpResponse, ApiError> {
    let user = matinale_store::accounts::user_by_id(&state.db, actor.user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let memberships = matinale_store::account_view::memberships(&state.db, actor.user_id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(AccountResponse::new(user, memberships)))
}

/// The events the caller organises (an admin: all), drafts and cancelled ones included, the
/// latest first, with their registrations counted by category and status.
#[utoipa::path(tag = "events", params(PageQuery), security(("bearer" = [])), responses(
        ReadErrors,
    (status = 200, body = ListResponse<OrganisedEventResponse>, headers(("Link" = String))),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "a member account, which organises nothing"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "a bad `page` or `per_page`"),
))]
#[get("/me/events")]
pub async fn my_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
) -> Result<HttpResponse, ApiError> {
    let page: PageQuery = parse_query(&req)?;
    let list = matinale_store::account_view::organised_events(&state.db, &actor, page.parse()?).await?;
    Ok(paged(&req, ListResponse::from_page(list, OrganisedEventResponse::new)))
}
