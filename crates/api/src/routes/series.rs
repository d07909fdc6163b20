//! Series of events.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use matinale_domain::series::{NewSeries, Series};
use uuid::Uuid;

use super::{paged, PageQuery};
use crate::dto::series::CreateSeriesRequest;
use crate::dto::ListResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{Json, Query, SignedIn};
use crate::responses::{ListErrors, NotFoundErrors, WriteErrors};
use crate::state::AppState;

/// Creates a series.
#[utoipa::path(tag = "series", request_body = CreateSeriesRequest, security(("bearer" = [])), responses(
        WriteErrors,
    (status = 201, body = Series),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "slug taken"),
))]
#[post("/series")]
#[tracing::instrument(skip_all)]
pub async fn create_series(
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    body: Json<CreateSeriesRequest>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    let new = NewSeries::parse(&b.slug, &b.title, b.starts_on, b.ends_on, &b.description)?;
    let series = matinale_store::series::create(&state.db, &actor, new).await?;
    Ok(HttpResponse::Created().json(series))
}

/// Lists series, newest first.
#[utoipa::path(tag = "series", params(PageQuery), responses(
        ListErrors,
    (status = 200, body = ListResponse<Series>),
))]
#[get("/series")]
pub async fn list_series(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = matinale_store::series::list(&state.db, query.0.parse()?).await?;
    Ok(paged(&req, ListResponse::from(page)))
}

/// One series.
#[utoipa::path(tag = "series", params(("id" = Uuid, Path)), responses(
        NotFoundErrors,
    (status = 200, body = Series),
))]
#[get("/series/{id}")]
pub async fn get_series(state: web::Data<AppState>, id: web::Path<Uuid>) -> Result<HttpResponse, ApiError> {
    let series = matinale_store::series::get(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(series))
}
