//! `ApiError`: every failure, mapped to an RFC 9457 `application/problem+json` response.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use matinale_domain::FieldError;
use serde::Serialize;

/// A problem document (RFC 9457).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What happened, for a person.
    pub detail: String,
    /// For invalid input: each bad field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Errors answered by the API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed request (JSON syntax, bad header).
    #[error("{0}")]
    BadRequest(String),
    /// Invalid values, each field named.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Missing or bad credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated but not allowed.
    #[error("you may not do this")]
    Forbidden,
    /// Unknown, or not visible to the caller.
    #[error("not found")]
    NotFound,
    /// Method not allowed on this path.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// Conflict with the current state.
    #[error("{0}")]
    Conflict(String),
    /// Stale `If-Match`.
    #[error("the resource has changed since you read it; fetch it again")]
    PreconditionFailed,
    /// Body over the limit.
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// Not JSON.
    #[error("send JSON with Content-Type: application/json")]
    UnsupportedMediaType,
    /// Rate-limited; try again after this many seconds (`Retry-After`).
    #[error("too many requests; try again in {0} s")]
    TooManyRequests(u64),
    /// The database is unreachable.
    #[error("the service is temporarily unavailable")]
    Unavailable,
    /// A bug.
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// A single invalid field.
    pub fn field(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid(vec![FieldError::new(field, code, message)])
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad-request",
            ApiError::Invalid(_) => "invalid-input",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not-found",
            ApiError::MethodNotAllowed => "method-not-allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::PreconditionFailed => "precondition-failed",
            ApiError::PayloadTooLarge(_) => "payload-too-large",
            ApiError::UnsupportedMediaType => "unsupported-media-type",
            ApiError::TooManyRequests(_) => "too-many-requests",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal => "internal",
        }
    }

    /// The problem document of this error.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let (detail, errors) = match self {
            ApiError::Invalid(errors) => (
                format!(
                    "invalid value for {}",
                    errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", ")
                ),
                errors.clone(),
            ),
            other => (other.to_string(), Vec::new()),
        };
        Problem {
            kind: format!("https://matinale.org/problems/{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response.content_type("application/problem+json");
        if let ApiError::Unauthorized(_) = self {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if let ApiError::TooManyRequests(seconds) = self {
            response.insert_header(("Retry-After", seconds.max(&1).to_string()));
        }
        if let ApiError::Unavailable = self {
            // A full writer queue or pool drains in moments.
            response.insert_header(("Retry-After", "1"));
        }
        response.json(self.problem())
    }
}

impl From<matinale_domain::Error> for ApiError {
    fn from(err: matinale_domain::Error) -> Self {
        match err {
            matinale_domain::Error::Invalid(errors) => ApiError::Invalid(errors),
            matinale_domain::Error::Conflict(message) => ApiError::Conflict(message),
        }
    }
}

impl From<matinale_store::Error> for ApiError {
    fn from(err: matinale_store::Error) -> Self {
        use matinale_store::Error as S;
        match err {
            S::NotFound => ApiError::NotFound,
            S::Forbidden => ApiError::Forbidden,
            S::Conflict(message) => ApiError::Conflict(message),
            S::Stale => ApiError::PreconditionFailed,
            S::Invalid(domain) => domain.into(),
            S::KeyReused => matinale_domain::Error::field(
                "Idempotency-Key",
                "reused",
                "this key was used with another request body",
            )
            .into(),
            S::Busy | S::Unavailable => ApiError::Unavailable,
            S::Db(db) => {
                tracing::error!(error = %db, "database error");
                ApiError::Internal
            }
        }
    }
}
