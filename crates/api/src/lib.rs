//! The HTTP API: actix handlers, authentication, problem+json errors and the OpenAPI document.
//!
//! Handlers live in `routes/` (one file per resource) and speak through the DTOs of
//! `dto/<resource>.rs`, which convert into the domain's types (the domain validates, errors
//! name the field). Where a domain value is its own answer it is not copied into a DTO: it
//! derives `Serialize` and `ToSchema` under the response's name (series, meeting blocks,
//! interests) or `IntoParams` (the needs' filter). Shared pieces: one PATCH merge (`dto::patched`), one ETag/If-Match helper
//! (`etag`), one list query (`routes::ListQuery<F>`: filters and page), the error sets every operation
//! declares (`responses`), CSV answers (`spreadsheet`). Api depends on store, worker (calendar
//! entries), notify and domain; nothing depends on api.

pub mod access_log;
mod allowed_methods;
pub mod company_register;
pub mod config;
pub mod console;
pub mod dto;
pub mod error;
pub mod etag;
pub mod extract;
pub mod metrics;
pub mod page;
pub mod proxies;
mod report_chart;
pub mod request_id;
pub mod responses;
pub mod routes;
pub mod spreadsheet;
pub mod state;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{get, middleware, web, App, HttpRequest, HttpResponse, HttpServer, ResponseError};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

pub use config::Config;
pub use error::ApiError;
pub use state::AppState;

use routes::{
    account, auth, calendars, events, health, import, invitations, meeting_blocks, meeting_changes, meeting_outcomes,
    meetings, members, needs, organisations, outbox, participants, personal_data, registrations, replan, reports,
    series, stands, users, wishes,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Matinale API",
        description = "Events of the Mois de l'ESS and matinales des achats responsables: series, events, \
programme, organisations. Errors are application/problem+json (RFC 9457); invalid input is 422 \
with `errors[{field, code, message}]`. Lists take `page` and `per_page` (max 200) and answer \
`{items, page, per_page, total}` with a `Link` header.",
        license(name = "AGPL-3.0-or-later"),
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Bearer tokens"),
        (name = "users", description = "Organiser, admin and organisation-member accounts"),
        (name = "series", description = "Series of events, such as Mois de l'ESS 2026"),
        (name = "events", description = "Events, their status and programme"),
        (name = "organisations", description = "Buyers, ESS structures, partners, and their members"),
        (name = "stands", description = "Classic stands (ESS structures) and inverted stands (buyers)"),
        (name = "needs", description = "Buyer needs, expressions of interest, suggested ESS structures"),
        (name = "calendars", description = "iCalendar (RFC 5545) views and feeds"),
        (name = "registrations", description = "Registrations, waiting list, magic-link tokens, check-in"),
        (name = "meetings", description = "Speed meetings: draft schedules, publication, timetables, agendas"),
        (name = "reports", description = "Figures for the SPASER and the ESS observatory: JSON, CSV, SVG"),
        (name = "personal data", description = "RGPD: export and erasure of a person's data"),
        (name = "outbox", description = "Mail queued for delivery, for organisers"),
        (name = "invitations", description = "Invitations to an event from an organiser's list, one-click unsubscribe"),
        (name = "health", description = "Probes"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(auth::create_token)
        .service(auth::logout)
        .service(account::me)
        .service(account::my_events)
        .service(users::create_user)
        .service(series::create_series)
        .service(series::list_series)
        .service(series::get_series)
        .service(events::create_event)
        .service(events::list_events)
        .service(events::get_event)
        .service(events::patch_event)
        .service(events::publish_event)
        .service(events::cancel_event)
        .service(events::add_programme_item)
        .service(events::get_programme)
        .service(organisations::create_organisation)
        .service(import::import_organisations)
        .service(organisations::list_organisations)
        .service(organisations::get_organisation)
        .service(organisations::patch_organisation)
        .service(calendars::event_calendar)
        .service(calendars::series_calendar)
        .service(members::add_member)
        .service(members::list_members)
        .service(members::remove_member)
        .service(stands::create_stand)
        .service(stands::list_stands)
        // `/needs/categories` before `/needs/{id}`, which would take it for an id.
        .service(needs::list_categories)
        .service(needs::create_need)
        .service(needs::list_needs)
        .service(needs::get_need)
        .service(needs::patch_need)
        .service(needs::accept_need)
        .service(needs::create_interest)
        .service(needs::withdraw_interest)
        .service(needs::list_interests)
        .service(needs::list_suggestions)
        .service(invitations::invite)
        .service(invitations::list_invitations)
        .service(invitations::invitation_prefill)
        .service(registrations::create_registration)
        .service(registrations::list_registrations)
        .service(registrations::get_registration)
        .service(registrations::patch_registration)
        .service(registrations::cancel_registration)
        .service(registrations::approve_organisation)
        .service(registrations::verify_email)
        .service(registrations::check_in)
        .service(registrations::mark_no_shows)
        .service(calendars::registration_agenda)
        .service(calendars::open_calendar_feed)
        .service(calendars::close_calendar_feed)
        .service(calendars::calendar_feed)
        .service(meetings::run_schedule)
        .service(meetings::get_schedule)
        .service(meetings::schedule_instance)
        .service(meetings::publish_schedule)
        .service(replan::replan)
        .service(replan::set_presence)
        .service(replan::get_presence)
        .service(replan::list_presences)
        .service(meetings::list_meetings)
        .service(meetings::registration_agenda_json)
        .service(meeting_changes::meetings_now)
        .service(meeting_changes::add_meeting)
        .service(meeting_changes::get_meeting)
        .service(meeting_changes::move_meeting)
        .service(meeting_changes::cancel_meeting)
        .service(meeting_blocks::create_meeting_block)
        .service(meeting_blocks::list_meeting_blocks)
        .service(meeting_blocks::delete_meeting_block)
        .service(participants::list_participants)
        .service(wishes::create_wish)
        .service(wishes::registration_wishes)
        .service(wishes::delete_wish)
        .service(wishes::decline_wish)
        .service(personal_data::export_registration)
        .service(personal_data::erase_registration)
        .service(personal_data::export_person)
        .service(personal_data::erase_person)
        .service(outbox::list_outbox)
        .service(meeting_outcomes::mark_attendance)
        .service(meeting_outcomes::record_outcome)
        .service(meeting_outcomes::meeting_outcomes)
        .service(reports::event_report)
        .service(reports::series_report);
}

/// The routes and the OpenAPI document they describe, built from the same registrations.
fn documented_app() -> utoipa_actix_web::UtoipaApp<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<actix_web::body::BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(health::live)
        .service(health::ready)
        .service(invitations::unsubscribe)
        .service(invitations::unsubscribe_confirm)
        .service(scope::scope("/api/v1").configure(api_v1))
}

/// The OpenAPI 3.1 document of the API.
pub fn openapi() -> OpenApiDoc {
    documented_app().split_for_parts().1
}

/// The OpenAPI document as YAML, as committed in `openapi.yaml`.
pub fn openapi_yaml() -> String {
    openapi()
        .to_yaml()
        .unwrap_or_else(|e| format!("# could not render: {e}\n"))
}

struct Spec(String);

#[get("/openapi.yaml")]
async fn openapi_yaml_handler(spec: web::Data<Spec>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/yaml").body(spec.0.clone())
}

#[get("/docs")]
async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}

/// No route answered: 405 with `Allow` when the path is known under other methods, else 404.
async fn not_found(req: HttpRequest, routes: web::Data<allowed_methods::KnownRoutes>) -> HttpResponse {
    // A literal template (`/needs/categories`) answers for its path, not `/needs/{id}` too.
    let allowed = known_methods(&routes, req.path());
    if allowed.is_empty() {
        return ApiError::NotFound.error_response();
    }
    method_not_allowed(&allowed)
}

/// 405 problem+json with `Allow: <allowed>`.
fn method_not_allowed(allowed: &[&str]) -> HttpResponse {
    let mut response = ApiError::MethodNotAllowed.error_response();
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&allowed.join(", ")) {
        response.headers_mut().insert(actix_web::http::header::ALLOW, value);
    }
    response
}

/// What every request gets whatever its handler. A wrong method on a known path is a 405 with
/// `Allow` before any handler runs, so that no extractor (a bad token's 401, a body's 415)
/// answers for a route that does not exist. `Cache-Control: no-store` on every answer to a
/// request that carried a credential (`Authorization`), so that no cache keeps what one
/// caller may read; and on the API reference (`/docs/…`) the pages' CSP, which forbids
/// framing it.
async fn guarded_headers(
    req: actix_web::dev::ServiceRequest,
    next: middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::http::header::{self, HeaderValue};
    let credential = req.headers().contains_key(header::AUTHORIZATION);
    let docs = req.path().starts_with("/docs/");
    let refused = req
        .app_data::<web::Data<allowed_methods::KnownRoutes>>()
        .map(|routes| known_methods(routes, req.path()))
        .filter(|allowed| !allowed.is_empty() && !allowed.contains(&req.method().as_str()));
    let mut response = match refused {
        Some(allowed) => req.into_response(method_not_allowed(&allowed)).map_into_right_body(),
        None => next.call(req).await?.map_into_left_body(),
    };
    let headers = response.headers_mut();
    if credential {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if docs {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(page::CSP));
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    Ok(response)
}

/// The methods a path answers: those of the templates naming it literally
/// (`/needs/categories`) when there are, else those of every template it fits.
fn known_methods(routes: &allowed_methods::KnownRoutes, path: &str) -> Vec<&'static str> {
    let literal = routes.allowed_literally(path);
    if literal.is_empty() {
        routes.allowed(path)
    } else {
        literal
    }
}

/// Starts serving on `listener` (the mail worker is `matinale_worker`'s, started by the
/// binary). The returned future runs until SIGINT/SIGTERM: in-flight requests finish (10 s at
/// most). Must be called inside a Tokio runtime. Fails when the address cannot be used.
pub fn serve(
    listener: TcpListener,
    state: AppState,
) -> std::io::Result<impl std::future::Future<Output = std::io::Result<()>> + Send + 'static> {
    let state = web::Data::new(state);
    let pruning = tokio::spawn(prune_limiters(state.clone()));
    let server = http_server(listener, state)?;
    Ok(async move {
        let stopped = server.await;
        pruning.abort();
        stopped
    })
}

/// Prunes the rate limiters of `state` every [`state::LIMITER_PRUNE_EVERY`], for ever.
async fn prune_limiters(state: web::Data<AppState>) {
    let mut every = tokio::time::interval(state::LIMITER_PRUNE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        state.prune_limiters();
    }
}

fn http_server(listener: TcpListener, state: web::Data<AppState>) -> std::io::Result<Server> {
    let doc = openapi();
    let spec = web::Data::new(Spec(doc.to_yaml().unwrap_or_default()));
    let routes = web::Data::new(allowed_methods::KnownRoutes::new(
        &doc,
        &[
            ("/openapi.yaml", "GET"),
            ("/", "GET"),
            ("/r/{id}", "GET"),
            ("/r/{id}", "HEAD"),
            ("/e/{id}", "GET"),
            ("/e/{id}", "HEAD"),
        ],
    ));
    let server = HttpServer::new(move || {
        let (app, _) = documented_app().split_for_parts();
        app.app_data(state.clone())
            .app_data(spec.clone())
            .app_data(routes.clone())
            .app_data(web::PathConfig::default().error_handler(|err, req| {
                // `PATCH /needs/categories` is caught by `PATCH /needs/{id}`, whose id does not
                // parse; the path names `GET /needs/categories`: a wrong method, not a 404.
                let literal = req
                    .app_data::<web::Data<allowed_methods::KnownRoutes>>()
                    .map(|routes| routes.allowed_literally(req.path()))
                    .unwrap_or_default();
                let response = if literal.is_empty() || literal.contains(&req.method().as_str()) {
                    ApiError::NotFound.error_response()
                } else {
                    method_not_allowed(&literal)
                };
                actix_web::error::InternalError::from_response(err, response).into()
            }))
            .wrap(middleware::from_fn(guarded_headers))
            // Outermost: the request's id and span, around everything else; the access log
            // line is written by it (`request_id::middleware`), the duration timed inside it.
            .wrap(middleware::from_fn(metrics::middleware))
            .wrap(middleware::from_fn(request_id::middleware))
            .service(openapi_yaml_handler)
            .service(docs_redirect)
            // The pages the mails link to: not API, so outside the OpenAPI document.
            .configure(page::configure)
            .configure(console::configure)
            .service(SwaggerUi::new("/docs/{_:.*}").url("/docs/openapi.json", doc.clone()))
            .default_service(web::to(not_found))
    })
    .listen(listener)?
    .shutdown_timeout(10)
    .run();
    Ok(server)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn documented_enums_list_the_values_clients_send() {
        let doc = serde_json::to_value(super::openapi()).expect("the document serialises");
        let values = |name: &str| doc["components"]["schemas"][name]["enum"].clone();
        assert_eq!(values("MailStatus"), json!(["queued", "sending", "sent", "failed"]));
        assert_eq!(
            values("Category"),
            json!(["buyer", "ess_structure", "partner", "visitor"])
        );
        assert_eq!(values("Locale"), json!(["fr", "en"]));
    }
}
