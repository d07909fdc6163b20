//! Every request's id (`X-Request-Id`), its tracing span and its access-log line.
//!
//! The id comes from the reverse proxy when the peer is one of `MATINALE_TRUSTED_PROXIES` and
//! its value is sane; otherwise (or when the proxy sent none) it is a new UUID v7. It is
//! answered in the `X-Request-Id` header and carried by every log line written while the
//! request is served (the `request` span's field `request_id`), the access-log line included.

use std::net::IpAddr;
use std::time::Instant;

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};
use tracing::Instrument;

use crate::access_log::loggable_request_line;
use crate::state::AppState;

/// The header that carries the id, both ways.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest id taken from a proxy; longer ones are replaced.
const MAX_LEN: usize = 128;

/// The id of the request being served, in its extensions for handlers that want it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The id a proxy sent, if it may be believed: from a trusted peer, 1 to 128 visible ASCII
/// characters (no space, no quote, no backslash: it goes into logs as it is).
pub fn from_proxy(trusted: bool, sent: Option<&str>) -> Option<String> {
    let sent = sent?.trim();
    let sane = !sent.is_empty()
        && sent.len() <= MAX_LEN
        && sent.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\\'));
    (trusted && sane).then(|| sent.to_owned())
}

/// The middleware: takes or makes the id, serves the request inside a `request` span holding
/// it, answers it in `X-Request-Id` and writes the access-log line (peer, request line with
/// secrets masked, status, body size, duration) inside that span.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let peer: Option<IpAddr> = req.peer_addr().map(|a| a.ip());
    let trusted = match (req.app_data::<web::Data<AppState>>(), peer) {
        (Some(state), Some(ip)) => state.config.trusted_proxies.contains(ip),
        _ => false,
    };
    let sent = req.headers().get(&X_REQUEST_ID).and_then(|v| v.to_str().ok());
    let id = from_proxy(trusted, sent).unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let line = loggable_request_line(&req);
    let span = tracing::info_span!("request", request_id = %id);
    let started = Instant::now();
    async move {
        let mut response = next.call(req).await?;
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert(X_REQUEST_ID, value);
        }
        let bytes = match response.response().body().size() {
            BodySize::Sized(n) => n.to_string(),
            BodySize::None => "0".to_owned(),
            BodySize::Stream => "-".to_owned(),
        };
        tracing::info!(
            target: "matinale::access",
            peer = %peer.map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
            status = response.status().as_u16(),
            bytes = %bytes,
            duration_ms = started.elapsed().as_secs_f64() * 1000.0,
            "{line}"
        );
        Ok(response)
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::from_proxy;

    #[test]
    fn only_a_trusted_proxy_names_the_request() {
        assert_eq!(from_proxy(true, Some("req-42")), Some("req-42".to_owned()));
        assert_eq!(from_proxy(false, Some("req-42")), None);
        assert_eq!(from_proxy(true, None), None);
        assert_eq!(from_proxy(true, Some("  ")), None);
        assert_eq!(from_proxy(true, Some("a b")), None);
        assert_eq!(from_proxy(true, Some("a\"b")), None);
        assert_eq!(from_proxy(true, Some(&"x".repeat(129))), None);
        assert_eq!(from_proxy(true, Some(&"x".repeat(128))), Some("x".repeat(128)));
    }
}
