//! Entity tags: `"v<version>"`, so that `If-Match` can refuse a stale update.

use actix_web::http::header::{EntityTag, ETAG};
use actix_web::HttpResponseBuilder;

/// The strong ETag of a version.
pub fn of(version: i32) -> EntityTag {
    EntityTag::new_strong(format!("v{version}"))
}

/// Adds the ETag header to a response.
pub fn set(response: &mut HttpResponseBuilder, version: i32) {
    response.insert_header((ETAG, of(version)));
}

/// Reads the version out of an `If-Match` value such as `"v3"` or `W/"v3"`.
pub fn parse(header: &str) -> Option<i32> {
    let text = header.trim().trim_start_matches("W/").trim_matches('"');
    text.strip_prefix('v')?.parse().ok()
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
