//! The organisers' view of the mail outbox: what was queued, sent, is waiting or failed, and why.

use actix_web::{get, web, HttpRequest, HttpResponse};
use matinale_store::outbox_view::OutboxFilter;

use super::{paged, ListQuery, PageQuery};
use crate::dto::outbox::{OutboxMailResponse, OutboxQuery};
use crate::dto::ListResponse;
use crate::error::{ApiError, Problem};
use crate::extract::SignedIn;
use crate::responses::ReadErrors;
use crate::state::AppState;

/// The outbox, newest first: every mail for an admin, the mail of the events they organise for
/// an organiser. Mail leaves the outbox by a background worker (`MATINALE_WORKER`), retried with
/// back-off while the mail server is unreachable.
#[utoipa::path(tag = "outbox", params(OutboxQuery, PageQuery), security(("bearer" = [])), responses(
        ReadErrors,
    (status = 200, body = ListResponse<OutboxMailResponse>, headers(("Link" = String))),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "not an organiser or admin, or an event you do not organise"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "a bad `status`, `event`, `page` or `per_page`; an unknown event"),
))]
#[get("/outbox")]
pub async fn list_outbox(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    list: ListQuery<OutboxQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = list.page.parse()?;
    let list = matinale_store::outbox_view::list(&state.db, &actor, OutboxFilter::from(list.filter), page).await?;
    Ok(paged(&req, ListResponse::from_page(list, OutboxMailResponse::from)))
}
