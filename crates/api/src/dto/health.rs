//! Probes.

use serde::Serialize;
use utoipa::ToSchema;

/// Liveness or readiness.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok`, or `unavailable`.
    pub status: String,
}
