//! Entity tags: `"v<version>"` on every versioned resource, and the `If-Match` that names one,
//! so that a stale update is refused (412).

use actix_web::dev::Payload;
use actix_web::http::header::{EntityTag, ETAG, IF_MATCH};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;

use crate::error::ApiError;

/// The strong ETag of a version.
pub fn of(version: i32) -> EntityTag {
    EntityTag::new_strong(format!("v{version}"))
}

/// A JSON answer carrying the ETag of `version`.
pub fn tagged(status: StatusCode, version: i32, body: impl Serialize) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((ETAG, of(version)))
        .json(body)
}

/// Reads the version out of an `If-Match` value such as `"v3"` or `W/"v3"`.
pub fn parse(header: &str) -> Option<i32> {
    let text = header.trim().trim_start_matches("W/").trim_matches('"');
    text.strip_prefix('v')?.parse().ok()
}

/// The version an `If-Match` header asks for: `None` without the header or with `*`.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub Option<i32>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get(IF_MATCH).map(|v| v.to_str()) {
            None => Ok(IfMatch(None)),
            Some(Ok(text)) if text.trim() == "*" => Ok(IfMatch(None)),
            // An If-Match that names no version of ours can never match: 412.
            Some(Ok(text)) => Ok(IfMatch(Some(parse(text).unwrap_or(-1)))),
            Some(Err(_)) => Err(ApiError::PreconditionFailed),
        };
        std::future::ready(parsed)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parse_if_match() {
        assert_eq!(super::parse("\"v3\""), Some(3));
        assert_eq!(super::parse("W/\"v12\""), Some(12));
        assert_eq!(super::parse("\"abc\""), None);
    }
}
