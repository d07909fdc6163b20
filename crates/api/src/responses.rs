//! The error sets of the OpenAPI document: each route declares one of these (then its own
//! responses, whose descriptions win), instead of repeating one `(status = …, body = Problem,
//! content_type = "application/problem+json")` line per status. Every error is problem+json.
#![allow(dead_code)] // The variants only describe responses; they are never built.

use utoipa::IntoResponses;

use crate::error::Problem;

/// A public resource: unknown, or not visible to the caller.
#[derive(IntoResponses)]
pub enum NotFoundErrors {
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
}

/// A read that takes an optional token (an organiser's, a member's or a manage token).
#[derive(IntoResponses)]
pub enum ReadErrors {
    /// a token was sent that is unknown or expired
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
}

/// A list: an unknown or expired token, a bad filter, page or per_page.
#[derive(IntoResponses)]
pub enum ListErrors {
    /// a token was sent that is unknown or expired
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// A route for signed-in callers with a right on the resource (an organiser of the event, a
/// member of the organisation, an admin).
#[derive(IntoResponses)]
pub enum OrganiserErrors {
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
}

/// [`OrganiserErrors`] of a list or a query, whose parameters may be invalid.
#[derive(IntoResponses)]
pub enum OrganiserListErrors {
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// A write with a JSON body.
#[derive(IntoResponses)]
pub enum WriteErrors {
    /// the body is not JSON, or not of the expected shape
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// the body is larger than the limit
    #[response(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Problem),
    /// the body is not sent as application/json
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// A PATCH: [`WriteErrors`], and `If-Match` naming a version that is no longer current.
#[derive(IntoResponses)]
pub enum PatchErrors {
    /// the body is not JSON, or not of the expected shape
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
    /// the body is larger than the limit
    #[response(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Problem),
    /// the body is not sent as application/json
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}
