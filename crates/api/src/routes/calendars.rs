//! iCalendar (RFC 5545) views of events and series, cheap to poll: ETag and Last-Modified.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use matinale_domain::event::{Event, EventStatus};
use matinale_notify::calendar::{self, EventEntry, Method, UidKind};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{ApiError, Problem};
use crate::extract::Caller;
use crate::state::AppState;

/// The host part of the public URL, used in UIDs (`event-<id>@host`) and Message-IDs.
pub(crate) fn uid_domain(public_url: &str) -> &str {
    let rest = public_url.split_once("://").map_or(public_url, |(_, r)| r);
    let host = rest.split(['/', ':']).next().unwrap_or("matinale");
    if host.is_empty() {
        "matinale"
    } else {
        host
    }
}

/// An event as a VEVENT. The UID never changes; SEQUENCE follows the event's version, and
/// DTSTAMP its last change, so that the same state always renders the same bytes.
pub fn event_entry(event: &Event, public_url: &str) -> EventEntry {
    let f = &event.fields;
    let location = match (&f.venue, &f.online_url) {
        (Some(v), _) => Some(format!("{}, {}, {} {}", v.name, v.address, v.postcode, v.city)),
        (None, Some(link)) => Some(link.clone()),
        (None, None) => None,
    };
    EventEntry {
        uid: calendar::uid_for(UidKind::Event, event.id, uid_domain(public_url)),
        sequence: u32::try_from(event.version.saturating_sub(1)).unwrap_or(0),
        dtstamp: event.updated_at,
        starts_at: f.starts_at,
        ends_at: f.ends_at,
        timezone: f.timezone,
        title: f.title.clone(),
        description: f.description.clone(),
        location,
        url: Some(format!("{public_url}/api/v1/events/{}", event.id)),
        organizer: None,
        attendees: Vec::new(),
        status: if event.status == EventStatus::Cancelled {
            calendar::EventStatus::Cancelled
        } else {
            calendar::EventStatus::Confirmed
        },
    }
}

/// Answers a calendar body with a content-derived ETag, honouring `If-None-Match` (304).
fn ics_response(req: &HttpRequest, body: String, last_modified: Option<DateTime<Utc>>) -> HttpResponse {
    let digest = Sha256::digest(body.as_bytes());
    let etag = format!(
        "\"{}\"",
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect::<String>()
    );
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response.insert_header((header::ETAG, etag));
    response.insert_header((header::CACHE_CONTROL, "no-cache"));
    if let Some(at) = last_modified {
        response.insert_header((
            header::LAST_MODIFIED,
            at.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        ));
    }
    if fresh {
        return response.finish();
    }
    response.content_type("text/calendar; charset=utf-8").body(body)
}

/// The event as one VEVENT (drafts to their organisers only).
#[utoipa::path(tag = "calendars", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "text/calendar, METHOD:PUBLISH", content_type = "text/calendar", body = String,
        headers(("ETag" = String), ("Last-Modified" = String))),
    (status = 304, description = "unchanged since the ETag in If-None-Match"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/events/{id}/calendar.ics")]
pub async fn event_calendar(
    req: HttpRequest,
    state: web::Data<AppState>,
    Caller(actor): Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let event = matinale_store::events::get_visible(&state.db, id.into_inner(), actor.as_ref()).await?;
    let entry = event_entry(&event, &state.config.public_url);
    let body = calendar::render_calendar(Method::Publish, &[entry], &event.fields.title);
    Ok(ics_response(&req, body, Some(event.updated_at)))
}

/// Every public event of the series, for calendar subscription (webcal).
#[utoipa::path(tag = "calendars", params(("id" = Uuid, Path)), responses(
    (status = 200, description = "text/calendar, METHOD:PUBLISH", content_type = "text/calendar", body = String,
        headers(("ETag" = String), ("Last-Modified" = String))),
    (status = 304, description = "unchanged since the ETag in If-None-Match"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/series/{id}/calendar.ics")]
pub async fn series_calendar(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let series = matinale_store::series::get(&state.db, id.into_inner()).await?;
    let events = matinale_store::events::public_in_series(&state.db, series.id).await?;
    let entries: Vec<EventEntry> = events
        .iter()
        .map(|e| event_entry(e, &state.config.public_url))
        .collect();
    let last_modified = events.iter().map(|e| e.updated_at).max();
    let body = calendar::render_calendar(Method::Publish, &entries, &series.title);
    Ok(ics_response(&req, body, last_modified))
}

#[cfg(test)]
mod tests {
    #[test]
    fn uid_domain_is_the_host() {
        assert_eq!(
            super::uid_domain("https://agenda.grand-orly.fr/base"),
            "agenda.grand-orly.fr"
        );
        assert_eq!(super::uid_domain("http://127.0.0.1:8080"), "127.0.0.1");
    }
}
