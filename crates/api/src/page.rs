//! The built-in pages the mails link to: a participant's page at `/r/{id}` and an event's
//! public page at `/e/{id}`; and `/`, the coming public events. They are not API (no OpenAPI entry): the same static HTML for any
//! id, a stylesheet and a small script embedded in the binary; the script reads the manage
//! token from the URL fragment (`#token=…`, never sent to a server) and calls the JSON API
//! with `Authorization: Bearer`. The script is an ES module importing the console's shared
//! modules (the DOM builder, the API client, the messages' filling) from `/console/`.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{get, route, web, HttpResponse};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;
use matinale_domain::page::PageRequest;
use matinale_store::events::EventFilter;

/// The one layout of both pages; [`Page`] fills its `{{…}}` holes.
const PAGE_HTML: &str = include_str!("../assets/page.html");
const PAGE_CSS: &str = include_str!("../assets/page.css");
const PAGE_JS: &str = include_str!("../assets/page.js");

/// A short digest of the assets, put in their URLs so that they may be cached for a year; it
/// covers the console's modules the script imports, so that a change of one of them changes the
/// script's URL too (they are revalidated, `no-cache`, by the console's routes).
fn asset_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut digest = Sha256::new().chain_update(PAGE_CSS).chain_update(PAGE_JS);
        for module in crate::console::SHARED_WITH_PAGES {
            digest.update(crate::console::asset_text(module).unwrap_or_default());
        }
        let digest = digest.finalize();
        digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
    })
}

/// Pages allow scripts and styles of this origin only, send no Referer, and are never framed.
/// The API reference (`/docs/`) is served under it too.
pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// What differs between the pages.
struct Page {
    /// `data-page`, which the script reads to know what to show.
    name: &'static str,
    /// Extra `<meta>` lines.
    meta: &'static str,
    /// The title, before ` · Matinale`.
    title: &'static str,
    /// What the page shows, for the `<noscript>` notice: in French, then in English.
    shows: (&'static str, &'static str),
}

const REGISTRATION: Page = Page {
    name: "registration",
    meta: "<meta name=\"robots\" content=\"noindex\">\n",
    title: "Mon inscription",
    shows: ("votre inscription", "your registration"),
};

const EVENT: Page = Page {
    name: "event",
    meta: "",
    title: "Événement",
    shows: ("l'événement", "the event"),
};

impl Page {
    fn render(&self) -> String {
        PAGE_HTML
            .replace("{{meta}}", self.meta)
            .replace("{{title}}", self.title)
            .replace("{{page}}", self.name)
            .replace("{{shows_fr}}", self.shows.0)
            .replace("{{shows_en}}", self.shows.1)
            .replace("{{v}}", asset_version())
    }
}

fn html(page: &Page) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(page.render())
}

/// The participant's page (the data comes from the API with the token of the fragment).
/// `HEAD` answers its headers.
#[route("/r/{id}", method = "GET", method = "HEAD")]
async fn registration_page(id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    id.parse::<Uuid>().map_err(|_| ApiError::NotFound)?;
    Ok(html(&REGISTRATION))
}

/// The public page of an event. `HEAD` answers its headers.
#[route("/e/{id}", method = "GET", method = "HEAD")]
async fn event_page(id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    id.parse::<Uuid>().map_err(|_| ApiError::NotFound)?;
    Ok(html(&EVENT))
}

/// `/`: the coming public events, each linking to its page, and where the API is described.
/// Plain HTML written here (no script), the texts of the events escaped.
#[get("/")]
async fn home(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let filter = EventFilter {
        from: Some(state.db.now()),
        ..EventFilter::default()
    };
    let events = matinale_store::events::list_public(&state.db, &filter, PageRequest { page: 1, per_page: 50 }).await?;
    let mut items = String::new();
    for e in &events.items {
        let f = &e.fields;
        let day = f.starts_at.with_timezone(&f.timezone).format("%d/%m/%Y %H:%M");
        let place = f
            .venue
            .as_ref()
            .map(|v| format!(" · {}", escape(&v.city)))
            .unwrap_or_default();
        items.push_str(&format!(
            "<li><a href=\"/e/{}\">{}</a> · {day}{place}</li>\n",
            e.id,
            escape(&f.title)
        ));
    }
    if items.is_empty() {
        items.push_str("<li>Aucun événement public à venir pour le moment.</li>\n");
    }
    let body = format!(
        "<!doctype html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Matinale</title>\n\
<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"/assets/page.css?v={v}\">\n</head>\n\
<body data-page=\"home\">\n<header class=\"top\"><p class=\"brand\"><span aria-hidden=\"true\">☀</span> Matinale</p></header>\n\
<main id=\"main\">\n<h1>Événements à venir</h1>\n<ul class=\"events\">\n{items}</ul>\n\
<p>L'API JSON est décrite sur <a href=\"/docs/\">/docs/</a> (OpenAPI : <a href=\"/openapi.yaml\">/openapi.yaml</a>).</p>\n\
</main>\n</body>\n</html>\n",
        v = asset_version()
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body))
}

/// Where an unsubscribe page stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unsubscribe {
    /// `GET` with a known link: a button confirms (mail scanners follow links: a `GET` must
    /// not unsubscribe).
    Confirm,
    /// Done (again changes nothing).
    Done,
}

/// The unsubscribe page of an invitation link, in French and English, without script: a form
/// that posts `List-Unsubscribe=One-Click` to its own address, or the confirmation.
pub(crate) fn unsubscribe_page(state: Unsubscribe) -> HttpResponse {
    let content = match state {
        Unsubscribe::Confirm => {
            "<h1>Ne plus recevoir d'invitations · No more invitations</h1>\n\
<p>Cette adresse ne recevra plus aucune invitation envoyée par Matinale, pour aucun événement.</p>\n\
<p lang=\"en\">This address will get no more invitations sent through Matinale, for any event.</p>\n\
<form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\n\
<button type=\"submit\">Me désinscrire · Unsubscribe</button></form>\n"
        }
        Unsubscribe::Done => {
            "<h1>Désinscription enregistrée · Unsubscribed</h1>\n\
<p>Vous ne recevrez plus d'invitations à cette adresse.</p>\n\
<p lang=\"en\">You will get no more invitations at this address.</p>\n"
        }
    };
    let body = format!(
        "<!doctype html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n\
<title>Désinscription · Matinale</title>\n<link rel=\"icon\" href=\"data:,\">\n\
<link rel=\"stylesheet\" href=\"/assets/page.css?v={v}\">\n</head>\n<body data-page=\"unsubscribe\">\n\
<header class=\"top\"><p class=\"brand\"><span aria-hidden=\"true\">☀</span> Matinale</p></header>\n\
<main id=\"main\">\n{content}</main>\n</body>\n</html>\n",
        v = asset_version()
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

/// `text` with the five HTML special characters escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The stylesheet and the script, cached for a year (their URLs carry their digest).
#[get("/assets/{name}")]
async fn asset(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (body, content_type) = match name.as_str() {
        "page.css" => (PAGE_CSS, "text/css; charset=utf-8"),
        "page.js" => (PAGE_JS, "text/javascript; charset=utf-8"),
        _ => return Err(ApiError::NotFound),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body))
}

/// Registers the pages and their assets.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(home)
        .service(registration_page)
        .service(event_page)
        .service(asset);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_ask_for_their_assets_by_digest() {
        let page = html(&REGISTRATION);
        assert_eq!(page.status(), 200);
        let registration = REGISTRATION.render();
        let v = asset_version();
        assert!(registration.contains(&format!("/assets/page.js?v={v}\"")));
        assert!(EVENT.render().contains(&format!("/assets/page.css?v={v}\"")));
        assert_eq!(v.len(), 12);
    }

    #[test]
    fn the_script_is_a_module_importing_only_the_shared_modules_of_the_console() {
        assert!(PAGE_HTML.contains("<script type=\"module\" src=\"/assets/page.js?v={{v}}\"></script>"));
        let imports: Vec<&str> = PAGE_JS
            .lines()
            .filter_map(|l| l.strip_prefix("import "))
            .map(|l| l.split('\'').nth(1).unwrap_or_default())
            .collect();
        assert_eq!(imports, ["/console/dom.js", "/console/api.js", "/console/i18n.js"]);
        for import in imports {
            let name = import.trim_start_matches("/console/");
            assert!(crate::console::SHARED_WITH_PAGES.contains(&name), "{name}");
            assert!(crate::console::asset_text(name).is_some(), "{name} is served");
        }
        assert!(!PAGE_JS.contains("innerHTML"));
    }

    #[test]
    fn each_page_fills_every_hole_of_the_layout() {
        let registration = REGISTRATION.render();
        let event = EVENT.render();
        for page in [&registration, &event] {
            assert!(!page.contains("{{"), "{page}");
        }
        assert!(registration.contains("<body data-page=\"registration\">"));
        assert!(registration
            .contains("<meta name=\"robots\" content=\"noindex\">\n<title>Mon inscription · Matinale</title>"));
        assert!(event.contains("<meta name=\"referrer\" content=\"no-referrer\">\n<title>Événement · Matinale</title>"));
        assert!(event.contains("afficher l'événement. · This page needs JavaScript to show the event."));
    }
}
