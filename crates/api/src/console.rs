//! The console at `/console/`: organisers run their events and members publish their
//! organisation's needs from a browser. Not API (no OpenAPI entry): one HTML shell, a
//! stylesheet and plain ES modules (one per screen, shared pieces written once) embedded in
//! the binary and served under `/console/`; they speak only to the JSON API, with the bearer
//! token kept in `sessionStorage` (never in a URL). The same CSP and headers as the pages.
//! The DOM builder, the API client and the messages' filling are imported by the pages too
//! ([`SHARED_WITH_PAGES`]).

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};

use crate::error::ApiError;

/// Scripts and styles of this origin only, no Referer, never framed (as the pages).
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const SHELL: &str = include_str!("../assets/console/index.html");

/// Every file under `assets/console/`, with its content type.
const ASSETS: &[(&str, &str)] = &[
    ("console.css", include_str!("../assets/console/console.css")),
    ("app.js", include_str!("../assets/console/app.js")),
    ("api.js", include_str!("../assets/console/api.js")),
    ("i18n.js", include_str!("../assets/console/i18n.js")),
    ("dom.js", include_str!("../assets/console/dom.js")),
    ("forms.js", include_str!("../assets/console/forms.js")),
    ("table.js", include_str!("../assets/console/table.js")),
    ("signin.js", include_str!("../assets/console/signin.js")),
    ("events.js", include_str!("../assets/console/events.js")),
    ("event_form.js", include_str!("../assets/console/event_form.js")),
    ("registrations.js", include_str!("../assets/console/registrations.js")),
    ("meetings.js", include_str!("../assets/console/meetings.js")),
    ("timetable.js", include_str!("../assets/console/timetable.js")),
    ("checkin.js", include_str!("../assets/console/checkin.js")),
    ("room.js", include_str!("../assets/console/room.js")),
    ("attendance.js", include_str!("../assets/console/attendance.js")),
    ("report.js", include_str!("../assets/console/report.js")),
    ("outbox.js", include_str!("../assets/console/outbox.js")),
    ("stands.js", include_str!("../assets/console/stands.js")),
    ("organisation.js", include_str!("../assets/console/organisation.js")),
    ("needs.js", include_str!("../assets/console/needs.js")),
    ("invitations.js", include_str!("../assets/console/invitations.js")),
    ("import.js", include_str!("../assets/console/import.js")),
];

/// The modules the participant's and event's pages import too (`/console/dom.js`, …): written
/// once, served here; the pages' asset digest covers them.
pub(crate) const SHARED_WITH_PAGES: [&str; 3] = ["dom.js", "api.js", "i18n.js"];

/// The text of the asset `name`, if it is one.
pub(crate) fn asset_text(name: &str) -> Option<&'static str> {
    ASSETS.iter().find(|(n, _)| *n == name).map(|(_, body)| *body)
}

fn content_type(name: &str) -> &'static str {
    if name.ends_with(".css") {
        "text/css; charset=utf-8"
    } else {
        "text/javascript; charset=utf-8"
    }
}

/// The console's one page; the screens are chosen by the URL fragment (`#/events/…`).
#[get("/console/")]
async fn shell() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(SHELL)
}

#[get("/console")]
async fn without_slash() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/console/"))
        .finish()
}

/// A stylesheet or a module. Modules import each other by relative URL, which cannot carry a
/// digest: they are revalidated (`no-cache`) rather than cached for a year.
#[get("/console/{name}")]
async fn asset(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (name, body) = ASSETS
        .iter()
        .find(|(n, _)| *n == name.as_str())
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(content_type(name))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(*body))
}

/// Registers the console's shell and assets.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(shell).service(without_slash).service(asset);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_loads_every_module_it_needs_from_the_console() {
        assert!(SHELL.contains("<html lang=\"fr\">"));
        assert!(SHELL.contains("<script type=\"module\" src=\"/console/app.js\"></script>"));
        assert!(!SHELL.contains("<script>"), "no inline script under the CSP");
        for (name, body) in ASSETS {
            assert!(!body.contains("innerHTML"), "{name} builds the DOM with createElement");
            assert!(
                !body.contains("localStorage"),
                "{name}: the token stays in sessionStorage"
            );
            for import in body.match_indices("from './").map(|(at, _)| &body[at + 8..]) {
                let file = import.split('\'').next().unwrap_or_default();
                assert!(
                    ASSETS.iter().any(|(n, _)| *n == file),
                    "{name} imports {file}, not served"
                );
            }
        }
    }
}
