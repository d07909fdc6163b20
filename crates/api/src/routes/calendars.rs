//! iCalendar (RFC 5545) views of events, series and a person's agenda (also as a secret
//! subscription feed), cheap to poll: ETag and Last-Modified.

use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use matinale_domain::registration::{Locale as RegistrationLocale, RegistrationStatus};
use matinale_notify::calendar::{self, EventEntry, Method};
use matinale_notify::locale::Locale;
use matinale_store::meetings::MeetingView;
use matinale_store::registrations::Agenda;
use matinale_worker::calendar::meeting_entry;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::dto::calendars::CalendarFeedResponse;
use crate::error::{ApiError, Problem};
use crate::extract::{Caller, RegistrationCaller};
use crate::responses::{NotFoundErrors, ReadErrors};
use crate::state::AppState;

/// Prefix of calendar-feed tokens.
const FEED_TOKEN_PREFIX: &str = "mc_";

/// Who may cache a calendar: anyone for public ones, only the client for a person's agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Audience {
    Public,
    Personal,
}

/// Answers a calendar body with a content-derived ETag, honouring `If-None-Match` (304).
fn ics_response(
    req: &HttpRequest,
    body: String,
    last_modified: Option<DateTime<Utc>>,
    audience: Audience,
) -> HttpResponse {
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
    response.insert_header((
        header::CACHE_CONTROL,
        match audience {
            Audience::Public => "no-cache",
            Audience::Personal => "private, no-cache",
        },
    ));
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
        ReadErrors,
    (status = 200, description = "text/calendar, METHOD:PUBLISH", content_type = "text/calendar", body = String,
        headers(("ETag" = String), ("Last-Modified" = String))),
    (status = 304, description = "unchanged since the ETag in If-None-Match"),
))]
#[get("/events/{id}/calendar.ics")]
pub async fn event_calendar(
    req: HttpRequest,
    state: web::Data<AppState>,
    Caller(actor): Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let event = matinale_store::events::get_visible(&state.db, id.into_inner(), actor.as_ref()).await?;
    let entry = EventEntry::of_event(&event, &state.config.public_url);
    let body = calendar::render_calendar(Method::Publish, &[entry], &event.fields.title);
    Ok(ics_response(&req, body, Some(event.updated_at), Audience::Public))
}

/// Every public event of the series, for calendar subscription (webcal).
#[utoipa::path(tag = "calendars", params(("id" = Uuid, Path)), responses(
        NotFoundErrors,
    (status = 200, description = "text/calendar, METHOD:PUBLISH", content_type = "text/calendar", body = String,
        headers(("ETag" = String), ("Last-Modified" = String))),
    (status = 304, description = "unchanged since the ETag in If-None-Match"),
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
        .map(|e| EventEntry::of_event(e, &state.config.public_url))
        .collect();
    let last_modified = events.iter().map(|e| e.updated_at).max();
    let body = calendar::render_calendar(Method::Publish, &entries, &series.title);
    Ok(ics_response(&req, body, last_modified, Audience::Public))
}

fn locale_of(agenda: &Agenda) -> Locale {
    match agenda.registration.details.locale {
        RegistrationLocale::En => Locale::En,
        RegistrationLocale::Fr => Locale::Fr,
    }
}

/// The published meetings of the person, as VEVENTs in their language (cancelled ones with
/// STATUS:CANCELLED, so a subscribed calendar drops them).
fn meeting_entries(agenda: &Agenda, meetings: &[MeetingView], locale: Locale, public_url: &str) -> Vec<EventEntry> {
    meetings
        .iter()
        .map(|m| {
            meeting_entry(m, &agenda.event, agenda.registration.id, public_url, None)
                .to_event_entry(locale, m.updated_at)
        })
        .collect()
}

/// A person's agenda: the event first, then each meeting. When the registration is cancelled
/// the event shows as cancelled *for them*: same UID as the event's own calendar, STATUS
/// CANCELLED and a SEQUENCE past the event's, so that a subscribed calendar applies it.
/// A cancellation is final, so the SEQUENCE never goes back.
pub fn agenda_entries(agenda: &Agenda, meetings: Vec<EventEntry>, public_url: &str) -> Vec<EventEntry> {
    let mut event = EventEntry::of_event(&agenda.event, public_url);
    if agenda.registration.status == RegistrationStatus::Cancelled {
        event.status = calendar::EventStatus::Cancelled;
        event.sequence += 1;
        event.dtstamp = event.dtstamp.max(agenda.registration.updated_at);
    }
    let mut entries = vec![event];
    entries.extend(meetings);
    entries
}

/// Renders the agenda calendar and answers it (ETag, Last-Modified, 304).
fn agenda_response(req: &HttpRequest, agenda: &Agenda, meetings: &[MeetingView], public_url: &str) -> HttpResponse {
    let locale = locale_of(agenda);
    let entries = agenda_entries(
        agenda,
        meeting_entries(agenda, meetings, locale, public_url),
        public_url,
    );
    let calname = match locale {
        Locale::Fr => format!("Mon agenda – {}", agenda.event.fields.title),
        Locale::En => format!("My agenda – {}", agenda.event.fields.title),
    };
    let body = calendar::render_calendar(Method::Publish, &entries, &calname);
    let last_modified = entries.iter().map(|e| e.dtstamp).max();
    ics_response(req, body, last_modified, Audience::Personal)
}

/// A registration's agenda: its event (cancelled for them if they cancelled) and, once the
/// speed meetings are published, their meetings. Its manage token or an organiser of the event.
#[utoipa::path(tag = "calendars", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        ReadErrors,
    (status = 200, description = "text/calendar, METHOD:PUBLISH", content_type = "text/calendar", body = String,
        headers(("ETag" = String), ("Last-Modified" = String))),
    (status = 304, description = "unchanged since the ETag in If-None-Match"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "unknown, or not this token's registration, or not an organiser of its event"),
))]
#[get("/registrations/{id}/agenda.ics")]
pub async fn registration_agenda(
    req: HttpRequest,
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let agenda = matinale_store::registrations::agenda(&state.db, id.into_inner(), &who).await?;
    let meetings = matinale_store::meetings::of_registration(&state.db, agenda.registration.id).await?;
    Ok(agenda_response(&req, &agenda, &meetings, &state.config.public_url))
}

fn feed_urls(public_url: &str, token: &str) -> CalendarFeedResponse {
    let url = format!("{public_url}/api/v1/calendars/{token}.ics");
    let webcal_url = match url.split_once("://") {
        Some((_, rest)) => format!("webcal://{rest}"),
        None => url.clone(),
    };
    CalendarFeedResponse {
        url,
        webcal_url,
        token: token.to_owned(),
    }
}

/// Opens the registration's secret calendar feed, or replaces its token: the previous feed URL
/// stops working at once. Its manage token or an organiser of the event.
#[utoipa::path(tag = "calendars", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        ReadErrors,
    (status = 201, body = CalendarFeedResponse),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "unknown, or not this token's registration, or not an organiser of its event"),
))]
#[post("/registrations/{id}/calendar-feed")]
#[tracing::instrument(skip_all)]
pub async fn open_calendar_feed(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let token = matinale_store::registrations::rotate_feed_token(&state.db, id.into_inner(), &who).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(feed_urls(&state.config.public_url, &token)))
}

/// Closes the registration's calendar feed: its URL answers 404 from now on. Closing a closed
/// feed changes nothing (204).
#[utoipa::path(tag = "calendars", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
        ReadErrors,
    (status = 204, description = "no feed is open"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "unknown, or not this token's registration, or not an organiser of its event"),
))]
#[delete("/registrations/{id}/calendar-feed")]
#[tracing::instrument(skip_all)]
pub async fn close_calendar_feed(
    state: web::Data<AppState>,
    RegistrationCaller(who): RegistrationCaller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    matinale_store::registrations::revoke_feed_token(&state.db, id.into_inner(), &who).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The person's live agenda for calendar subscription (webcal): the same calendar as
/// `GET /registrations/{id}/agenda.ics`, opened by the secret in the path alone. Unknown,
/// replaced or closed feeds are not found.
#[utoipa::path(tag = "calendars", params(("feed_token" = String, Path, description = "the `mc_…` token of `POST /registrations/{id}/calendar-feed`")), responses(
        NotFoundErrors,
    (status = 200, description = "text/calendar, METHOD:PUBLISH", content_type = "text/calendar", body = String,
        headers(("ETag" = String), ("Last-Modified" = String))),
    (status = 304, description = "unchanged since the ETag in If-None-Match"),
))]
#[get("/calendars/{feed_token}.ics")]
pub async fn calendar_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    feed_token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = feed_token.into_inner();
    if !token.starts_with(FEED_TOKEN_PREFIX) {
        return Err(ApiError::NotFound);
    }
    let agenda = matinale_store::registrations::agenda_for_feed(&state.db, &token).await?;
    let meetings = matinale_store::meetings::of_registration(&state.db, agenda.registration.id).await?;
    Ok(agenda_response(&req, &agenda, &meetings, &state.config.public_url))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_feed_has_an_https_and_a_webcal_url() {
        let urls = super::feed_urls("https://agenda.example.org", "mc_t");
        assert_eq!(urls.url, "https://agenda.example.org/api/v1/calendars/mc_t.ics");
        assert_eq!(urls.webcal_url, "webcal://agenda.example.org/api/v1/calendars/mc_t.ics");
    }
}
