//! Liveness and readiness probes.

use actix_web::{get, web, HttpResponse};

use crate::dto::health::HealthResponse;
use crate::state::AppState;

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, body = HealthResponse)))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse { status: "ok".into() })
}

/// The process can serve: its database answers.
#[utoipa::path(tag = "health", responses(
    (status = 200, body = HealthResponse),
    (status = 503, body = HealthResponse, description = "database unreachable"),
))]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    if matinale_store::ping(&state.db).await {
        HttpResponse::Ok().json(HealthResponse { status: "ok".into() })
    } else {
        HttpResponse::ServiceUnavailable().json(HealthResponse {
            status: "unavailable".into(),
        })
    }
}
