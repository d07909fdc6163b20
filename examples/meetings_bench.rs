//! Speed meetings at scale, end to end: fills a fresh database through the store (an event, a
//! block, buyers and ESS structures registered, their availability, limits and wishes, shaped
//! like a real event by the scheduler's generator), then times the HTTP calls an organiser
//! makes — `POST /events/{id}/schedule` and `POST /events/{id}/schedule/publish` (every meeting
//! and every mail row written) — against the real server (release build, in this process).
//!
//!     cargo run --release --example meetings_bench -- [DATABASE_URL] [SIZE…]
//!
//! DATABASE_URL: `sqlite` (default, a temporary file) or `postgres://…/db` (a new database is
//! created on that server). SIZE: `forum` (100 buyers × 400 structures, 16 slots, 60 tables)
//! and/or `regional` (1,000 × 5,000, 24 slots, 400 tables); default `forum`.
//!
//! For each size it prints the times, the peak resident memory of the process during each call
//! (the peak is reset just before it), and whether the draft's objective equals the one the
//! offline scheduler (`matinale schedule`) finds on the instance the API serves.

#[path = "support/bench_server.rs"]
mod bench_server;
#[path = "support/speed_meetings.rs"]
mod speed_meetings;

use std::time::Instant;

use anyhow::Context;
use matinale_scheduler::Instance;
use sea_orm::ConnectionTrait;
use serde_json::Value;
use speed_meetings::fill;

/// Peak resident memory of this process since the last reset, in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Resets the peak (`VmHWM`) to the current resident memory.
fn reset_peak_rss() {
    if let Err(e) = std::fs::write("/proc/self/clear_refs", "5") {
        eprintln!("the peak RSS cannot be reset ({e}); peaks include the filling");
    }
}

async fn call(client: &reqwest::Client, url: &str, token: &str, post: bool) -> anyhow::Result<(Value, f64, f64)> {
    reset_peak_rss();
    let started = Instant::now();
    let request = if post { client.post(url) } else { client.get(url) };
    let response = request.bearer_auth(token).send().await?;
    let status = response.status();
    let body: Value = response.json().await?;
    let elapsed = started.elapsed().as_secs_f64();
    anyhow::ensure!(status.is_success(), "{url}: {status} {body}");
    Ok((body, elapsed, peak_rss_mib()))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let (base, sizes) = speed_meetings::database_and_sizes()?;
    let bench = bench_server::start(&base, "meetings").await?;
    let backend = bench.backend();
    let bench_server::Bench {
        db,
        actor,
        api,
        client,
        token,
        ..
    } = bench;

    for size in &sizes {
        let filling = Instant::now();
        let filled = fill(&db, actor, *size).await?;
        let (event, wishes) = (filled.event_id, filled.wishes);
        let filled_in = filling.elapsed().as_secs_f64();
        let (draft, schedule_s, schedule_mib) =
            call(&client, &format!("{api}/events/{event}/schedule"), &token, true).await?;
        let (published, publish_s, publish_mib) =
            call(&client, &format!("{api}/events/{event}/schedule/publish"), &token, true).await?;
        let (instance, _, _) = call(
            &client,
            &format!("{api}/events/{event}/schedule/instance"),
            &token,
            false,
        )
        .await?;
        let instance: Instance = serde_json::from_value(instance)?;
        let offline = tokio::task::spawn_blocking(move || matinale_scheduler::schedule(&instance)).await??;
        let stats = &draft["stats"];
        let objective = stats["objective"].as_i64().unwrap_or(-1);
        let backend_kind = db.get_database_backend();
        let count_sql = if backend_kind == sea_orm::DbBackend::Postgres {
            "SELECT COUNT(*) AS n FROM outbox WHERE event_id = $1 AND kind = 'agenda_published'"
        } else {
            "SELECT COUNT(*) AS n FROM outbox WHERE event_id = ?1 AND kind = 'agenda_published'"
        };
        let mails = db
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                backend_kind,
                count_sql,
                vec![event.into()],
            ))
            .await?
            .context("count")?
            .try_get::<i64>("", "n")?;
        println!(
            "backend={backend} size={} participants={} wishes={wishes} filled_in={filled_in:.1}s \
             schedule={schedule_s:.2}s schedule_peak_rss={schedule_mib:.0}MiB solver={}ms \
             publish={publish_s:.2}s publish_peak_rss={publish_mib:.0}MiB meetings={} notified={} mails={mails} \
             objective={objective} upper_bound={:.1} ratio={:.4} offline_objective={} objective_equal={}",
            size.0,
            stats["participants"],
            stats["runtime_ms"],
            published["added"],
            published["notified"],
            stats["upper_bound"].as_f64().unwrap_or(0.0),
            stats["ratio"].as_f64().unwrap_or(0.0),
            offline.objective,
            offline.objective == objective,
        );
        anyhow::ensure!(
            offline.objective == objective,
            "the draft's objective differs from the offline scheduler's"
        );
    }
    Ok(())
}
