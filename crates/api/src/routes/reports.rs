//! Reports for the territory's SPASER and the ESS observatory: one event's or one series'
//! figures as JSON, as CSV rows (`Accept: text/csv`), or as one SVG chart
//! (`Accept: image/svg+xml`).

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde_json::Value;
use uuid::Uuid;

use crate::dto::reports::ReportResponse;
use crate::error::{ApiError, Problem};
use crate::extract::SignedIn;
use crate::spreadsheet;
use crate::state::AppState;

fn wants_svg(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("image/svg+xml"))
}

/// Whether a JSON key names the group its object stands for in a list (`name`, `priority`).
const GROUP_KEYS: [&str; 2] = ["name", "priority"];

/// The report's figures as `(section, group, key, value)` rows: its JSON flattened, so that
/// the CSV holds exactly the same numbers. Lists of groups (`by_buyer`, `wishes`) give one
/// group per item, named by its `name` or `priority`.
pub fn rows(report: &ReportResponse) -> Vec<[String; 4]> {
    fn scalar(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }
    fn walk(section: &str, group: &str, value: &Value, out: &mut Vec<[String; 4]>) {
        let join = |a: &str, b: &str| if a.is_empty() { b.to_owned() } else { format!("{a}.{b}") };
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match v {
                        Value::Object(_) | Value::Array(_) => walk(section, &join(group, key), v, out),
                        leaf => out.push([section.to_owned(), group.to_owned(), key.clone(), scalar(leaf)]),
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Object(map) => {
                            let name = GROUP_KEYS
                                .iter()
                                .find_map(|k| map.get(*k))
                                .map(scalar)
                                .unwrap_or_default();
                            let fields: serde_json::Map<String, Value> = map
                                .iter()
                                .filter(|(k, _)| !GROUP_KEYS.contains(&k.as_str()))
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect();
                            walk(section, &join(group, &name), &Value::Object(fields), out);
                        }
                        leaf => out.push([section.to_owned(), group.to_owned(), String::new(), scalar(leaf)]),
                    }
                }
            }
            leaf => out.push([section.to_owned(), group.to_owned(), String::new(), scalar(leaf)]),
        }
    }
    let mut out = Vec::new();
    if let Ok(Value::Object(map)) = serde_json::to_value(report) {
        for (section, value) in &map {
            match value {
                Value::Object(_) | Value::Array(_) => walk(section, "", value, &mut out),
                leaf => out.push(["report".to_owned(), String::new(), section.clone(), scalar(leaf)]),
            }
        }
    }
    out
}

/// JSON, CSV or SVG, as the request accepts.
fn respond(req: &HttpRequest, report: matinale_store::reports::Report, name: &str) -> Result<HttpResponse, ApiError> {
    let report = ReportResponse::from(report);
    if wants_svg(req) {
        return Ok(HttpResponse::Ok()
            .content_type("image/svg+xml")
            .body(crate::report_chart::render(
                &report,
                crate::report_chart::Language::of_request(req),
            )));
    }
    if spreadsheet::wanted(req) {
        return spreadsheet::answer(name, ["section", "group", "key", "value"], rows(&report));
    }
    Ok(HttpResponse::Ok().json(report))
}

/// The report of an event: registrations by category and status, attendance, needs published
/// and interests, meetings planned / held / no-show (cancelled apart), wishes met, outcomes
/// and euros (reserved markets apart), by buyer and by ESS kind. Only published data counts.
/// `Accept: text/csv` gives the same figures as rows (section, group, key, value);
/// `Accept: image/svg+xml` one chart (the meetings funnel and the euros by ESS kind).
/// Organisers of the event and admins.
#[utoipa::path(tag = "reports", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, content(
        (ReportResponse = "application/json"), (String = "text/csv"), (String = "image/svg+xml"))),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/events/{id}/report")]
#[tracing::instrument(skip_all)]
pub async fn event_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let report = matinale_store::reports::of_event(&state.db, id.into_inner(), &actor, state.db.now()).await?;
    respond(&req, report, "event-report")
}

/// The report of a series over its events that are not drafts, with the same figures as an
/// event's. Those who organise every event of the series, and admins.
#[utoipa::path(tag = "reports", params(("id" = Uuid, Path)), security(("bearer" = [])), responses(
    (status = 200, content(
        (ReportResponse = "application/json"), (String = "text/csv"), (String = "image/svg+xml"))),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "not an organiser of every event of the series"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/series/{id}/report")]
#[tracing::instrument(skip_all)]
pub async fn series_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(actor): SignedIn,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let report = matinale_store::reports::of_series(&state.db, id.into_inner(), &actor, state.db.now()).await?;
    respond(&req, report, "series-report")
}
