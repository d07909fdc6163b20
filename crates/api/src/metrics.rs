//! Prometheus metrics: recorded through the `metrics` facade wherever something happens (this
//! crate's middleware and handlers, the mail worker), rendered as Prometheus text by
//! `metrics-exporter-prometheus` at `GET /metrics` on a listener of its own
//! (`MATINALE_METRICS_BIND`), apart from the API so that it is never exposed with it.
//!
//! Labels are route templates, methods, statuses, mail kinds and outcomes: fixed sets, never a
//! raw path, an address or anything a person typed.

use std::net::TcpListener;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{get, web, App, Error, HttpResponse, HttpServer};
use chrono::Utc;
use matinale_store::Store;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// The request-duration histogram.
pub const REQUEST_DURATION: &str = "http_server_request_duration_seconds";
/// The route label of requests no route matched.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Buckets of the request-duration histogram (seconds): the registration rush's p99 is tens of
/// milliseconds, a schedule run or an export seconds.
const REQUEST_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Buckets of schedule runs (seconds).
const SCHEDULE_BUCKETS: [f64; 9] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// How often histograms are folded in between scrapes (keeps their memory flat).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The process's Prometheus recorder, installed on first call (the `metrics` facade has one
/// recorder per process); `None` if another recorder was installed first. Until it is
/// installed, recording is a no-op.
pub fn recorder() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let installed = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(REQUEST_DURATION.into()), &REQUEST_BUCKETS)
                .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("_duration_seconds".into()), &SCHEDULE_BUCKETS))
                .and_then(PrometheusBuilder::install_recorder);
            match installed {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(error) => {
                    tracing::warn!(%error, "the Prometheus recorder cannot be installed; no metrics");
                    None
                }
            }
        })
        .clone()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_histogram!(
        REQUEST_DURATION,
        Unit::Seconds,
        "HTTP requests by method, route template and status"
    );
    describe_gauge!("matinale_outbox_due", "Outbox rows a worker may claim now");
    describe_gauge!(
        "matinale_outbox_oldest_due_seconds",
        Unit::Seconds,
        "How long the longest-waiting due outbox row has been due"
    );
    describe_counter!(
        "matinale_mails_total",
        "Delivery attempts by mail kind and outcome (sent, retried, failed)"
    );
    describe_counter!(
        "matinale_registrations_total",
        "Registrations posted, by outcome (confirmed, waitlisted, refused)"
    );
    describe_counter!(
        "matinale_schedule_runs_total",
        "Speed-meeting schedule runs, by outcome"
    );
    describe_histogram!(
        "matinale_schedule_run_duration_seconds",
        Unit::Seconds,
        "Duration of speed-meeting schedule runs"
    );
    describe_gauge!(
        "matinale_db_pool_connections",
        "Database connections of this process, by state (in_use, idle)"
    );
    describe_gauge!(
        "matinale_db_pool_max_connections",
        "The most connections the pool opens; in_use at this level means queries wait"
    );
    describe_gauge!(
        "matinale_db_pool_waiting",
        "Write transactions of this process waiting now, for a connection of the pool or (SQLite) for the writer's turn"
    );
}

/// The method label: the standard methods by name, anything else `other`.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The middleware timing every request into [`REQUEST_DURATION`], labelled by method, the
/// template of the route that matched (`/api/v1/events/{id}`) or [`UNMATCHED_ROUTE`], and status.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    let route = req.match_pattern().unwrap_or_else(|| UNMATCHED_ROUTE.to_owned());
    let response = next.call(req).await?;
    metrics::histogram!(
        REQUEST_DURATION,
        "method" => method,
        "route" => route,
        "status" => response.status().as_str().to_owned(),
    )
    .record(started.elapsed().as_secs_f64());
    Ok(response)
}

/// Counts one registration posted, by its outcome.
pub fn registration(outcome: &'static str) {
    metrics::counter!("matinale_registrations_total", "outcome" => outcome).increment(1);
}

/// Counts one schedule run and its duration.
pub fn schedule_run(outcome: &'static str, took: Duration) {
    metrics::counter!("matinale_schedule_runs_total", "outcome" => outcome).increment(1);
    metrics::histogram!("matinale_schedule_run_duration_seconds", "outcome" => outcome).record(took.as_secs_f64());
}

/// Sets the gauges read from the database: the outbox backlog and the pool.
async fn sample(db: &Store) {
    let pool = matinale_store::operations::pool(db);
    metrics::gauge!("matinale_db_pool_connections", "state" => "in_use").set(f64::from(pool.in_use));
    metrics::gauge!("matinale_db_pool_connections", "state" => "idle").set(f64::from(pool.open - pool.in_use));
    metrics::gauge!("matinale_db_pool_max_connections").set(f64::from(pool.max));
    metrics::gauge!("matinale_db_pool_waiting", "for" => "connection").set(pool.waiting_for_connection as f64);
    metrics::gauge!("matinale_db_pool_waiting", "for" => "writer").set(pool.waiting_for_writer as f64);
    let now = Utc::now();
    match matinale_store::operations::outbox_backlog(db, now).await {
        Ok(backlog) => {
            metrics::gauge!("matinale_outbox_due").set(backlog.due as f64);
            let age = backlog
                .oldest_due_at
                .map_or(0.0, |at| (now - at).num_milliseconds().max(0) as f64 / 1000.0);
            metrics::gauge!("matinale_outbox_oldest_due_seconds").set(age);
        }
        Err(error) => tracing::warn!(%error, "the outbox backlog cannot be read for /metrics"),
    }
}

struct Exporter {
    handle: PrometheusHandle,
    db: Store,
}

#[get("/metrics")]
async fn scrape(exporter: web::Data<Exporter>) -> HttpResponse {
    sample(&exporter.db).await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(exporter.handle.render())
}

/// Serves `GET /metrics` on `listener` (the recorder is installed if it was not). The server
/// does not watch signals: the caller stops it (its handle) when the API stops. Must be called
/// inside a Tokio runtime.
pub fn serve(listener: TcpListener, db: Store) -> std::io::Result<Server> {
    let handle = recorder().ok_or_else(|| std::io::Error::other("no Prometheus recorder"))?;
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(UPKEEP_EVERY);
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    let exporter = web::Data::new(Exporter { handle, db });
    Ok(
        HttpServer::new(move || App::new().app_data(exporter.clone()).service(scrape))
            .workers(1)
            .disable_signals()
            .listen(listener)?
            .run(),
    )
}
