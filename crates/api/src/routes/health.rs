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

/// The process can serve: its database answers and holds every migration this binary knows
/// (503 `migrations_pending` while another process is about to migrate, or on an older copy).
#[utoipa::path(tag = "health", responses(
    (status = 200, body = HealthResponse),
    (status = 503, body = HealthResponse, description = "database unreachable (`unavailable`) or migrations pending (`migrations_pending`)"),
))]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let status = if !matinale_store::ping(&state.db).await {
        "unavailable"
    } else {
        match matinale_store::operations::pending_migrations(&state.db).await {
            Ok(0) => "ok",
            Ok(_) => "migrations_pending",
            Err(_) => "unavailable",
        }
    };
    let body = HealthResponse { status: status.into() };
    if status == "ok" {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
