//! Registration rush: N registrations fired by C concurrent clients at one event whose 50 seats
//! are split in quotas, against the real HTTP server (release build, in this process) over a
//! fresh database. Prints requests/s, p50/p99 latency and overbooked seats (counted in the
//! database afterwards; must be 0), the CPU time this process (load client and API) spent per
//! request, and how busy the machine was, including the share of CPU time the hypervisor stole.
//!
//!     cargo run --release --example registration_rush -- [DATABASE_URL] [REQUESTS] [CONCURRENCY]
//!
//! DATABASE_URL: `sqlite` (default, a temporary file) or `postgres://…/db[?options]` (a new
//! database is created on that server). Before the measured run, `RUSH_WARM_UP` registrations
//! (default 4 × CONCURRENCY) go to another event, unmeasured, so that the connection pools are
//! full and the statements prepared, as on a server that has been up for a while.

#[path = "support/fresh_database.rs"]
mod fresh_database;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use fresh_database::fresh_url;
use matinale_api::{AppState, Config};
use matinale_domain::event::{Category, EventDraft, EventFields, EventKind, EventStatus, VenueDraft};
use matinale_domain::registration::RegistrationStatus;
use matinale_domain::user::{NewUser, Role};
use sea_orm::ConnectionTrait;
use serde_json::json;
use tokio::sync::Semaphore;

const QUOTAS: [(Category, u32); 4] = [
    (Category::Buyer, 10),
    (Category::EssStructure, 20),
    (Category::Partner, 10),
    (Category::Visitor, 10),
];

/// CPU seconds used by this process (client and server) so far, from `/proc/self/stat`.
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at state; utime and stime
    // are the 14th and 15th fields of the line.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// (busy, steal, total) jiffies of the machine, from `/proc/stat`: steal is time the
/// hypervisor gave this VM's CPUs to others.
fn machine_jiffies() -> (u64, u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let cpu: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let get = |i: usize| cpu.get(i).copied().unwrap_or(0);
    let total: u64 = cpu.iter().take(8).sum();
    let idle = get(3) + get(4);
    (total - idle - get(7), get(7), total)
}

/// Sends `requests` registrations to `endpoint` from `concurrency` clients at once; the status
/// and latency of each, in order. Answers other than 201 are printed.
async fn fire(
    client: &reqwest::Client,
    endpoint: &str,
    label: &str,
    requests: usize,
    concurrency: usize,
) -> anyhow::Result<Vec<(u16, Duration)>> {
    let gate = Arc::new(Semaphore::new(concurrency));
    let endpoint = Arc::new(endpoint.to_owned());
    let label = Arc::new(label.to_owned());
    let mut tasks = Vec::with_capacity(requests);
    for n in 0..requests {
        let permit = gate.clone().acquire_owned().await?;
        let (client, endpoint, label) = (client.clone(), endpoint.clone(), label.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({
                "category": QUOTAS[n % 4].0,
                "person": {"first_name": "Éloïse", "last_name": format!("Rush {n}"), "email": format!("r{n}@bench.matinale")},
                "locale": "fr"
            });
            let sent = Instant::now();
            let answer = client.post(endpoint.as_str()).json(&body).send().await;
            let elapsed = sent.elapsed();
            drop(permit);
            let status = answer.as_ref().map_or(0, |r| r.status().as_u16());
            if status != 201 {
                let detail = match answer {
                    Ok(r) => r.text().await.unwrap_or_default(),
                    Err(e) => e.to_string(),
                };
                eprintln!("{label} request {n}: {status} {detail}");
            }
            (status, elapsed)
        }));
    }
    let mut answers = Vec::with_capacity(requests);
    for task in tasks {
        answers.push(task.await?);
    }
    Ok(answers)
}

// The load client takes one thread, so that it does not crowd the API's worker threads and the
// database on two cores more than one busy core would (measured: p99 lower by about a third).
#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() -> anyhow::Result<()> {
    // Server-side errors (a 500's cause) go to stderr.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().collect();
    let base = args.get(1).cloned().unwrap_or_else(|| "sqlite".into());
    let requests: usize = args.get(2).map_or(Ok(4000), |s| s.parse())?;
    let concurrency: usize = args.get(3).map_or(Ok(64), |s| s.parse())?;

    let url = fresh_url(&base, "rush").await?;
    let db = matinale_store::connect(&url).await?;
    matinale_store::migrate(&db).await?;
    let user = matinale_store::accounts::create_user(
        &db,
        NewUser::parse("rush@bench.matinale", "Bench", Role::Organiser, "correct horse battery")?,
    )
    .await?;
    let actor = matinale_domain::user::Actor {
        user_id: user.id,
        role: Role::Organiser,
    };
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s);
    let fields = EventFields::parse(EventDraft {
        series_id: None,
        kind: EventKind::Matinale,
        title: "Registration rush".into(),
        description: String::new(),
        starts_at: t("2099-11-25T09:00:00+01:00")?,
        ends_at: t("2099-11-25T12:30:00+01:00")?,
        timezone: "Europe/Paris".into(),
        venue: Some(VenueDraft {
            name: "Centre culturel".into(),
            address: "1 place du Fer-à-Cheval".into(),
            postcode: "94310".into(),
            city: "Orly".into(),
        }),
        online_url: None,
        capacity: 50,
        quotas: QUOTAS.map(|(_, q)| Some(i64::from(q))),
        registration_opens_at: Some(t("2020-01-01T00:00:00+00:00")?),
        registration_closes_at: Some(t("2099-11-24T18:00:00+01:00")?),
        follow_up_days: None,
    })?;
    let event = matinale_store::events::create(&db, &actor, fields.clone(), EventStatus::Published, &[]).await?;
    // Another event for the warm-up, so that its registrations stay out of the count.
    let warm_up_event = matinale_store::events::create(&db, &actor, fields, EventStatus::Published, &[]).await?;

    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let config = Config {
        database_url: url.clone(),
        bind: format!("127.0.0.1:{port}"),
        public_url: format!("http://127.0.0.1:{port}"),
        worker: false,
        // The rush comes from one address: the per-address limit would refuse most of it.
        registration_rate_per_minute: 0,
        ..Config::default()
    };
    let server = matinale_api::serve(listener, AppState::new(db.clone(), config))?;
    tokio::spawn(server);

    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build()?;
    let endpoint = |event_id| format!("http://127.0.0.1:{port}/api/v1/events/{event_id}/registrations");
    // Warm-up: the connection pools fill and statements get prepared, as on a server that has
    // been up for a while; these requests are not measured.
    let warm_up = std::env::var("RUSH_WARM_UP").map_or(Ok(4 * concurrency), |v| v.parse())?;
    fire(&client, &endpoint(warm_up_event.id), "warm-up", warm_up, concurrency).await?;

    let cpu_before = process_cpu_seconds();
    let jiffies_before = machine_jiffies();
    let started = Instant::now();
    let answers = fire(&client, &endpoint(event.id), "rush", requests, concurrency).await?;
    let failures = answers.iter().filter(|(status, _)| *status != 201).count();
    let mut latencies: Vec<Duration> = answers.into_iter().map(|(_, latency)| latency).collect();
    let elapsed = started.elapsed();
    let cpu = process_cpu_seconds() - cpu_before;
    let jiffies_after = machine_jiffies();
    let share =
        |after: u64, before: u64| 100.0 * (after - before) as f64 / (jiffies_after.2 - jiffies_before.2).max(1) as f64;
    let (busy, steal) = (
        share(jiffies_after.0, jiffies_before.0),
        share(jiffies_after.1, jiffies_before.1),
    );
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)];

    let mut overbooked = 0i64;
    let mut confirmed_total = 0i64;
    for (category, quota) in QUOTAS {
        let row = db
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                db.get_database_backend(),
                if db.get_database_backend() == sea_orm::DbBackend::Postgres {
                    "SELECT COUNT(*) AS n FROM registrations WHERE event_id = $1 AND category = $2 AND status = $3"
                } else {
                    "SELECT COUNT(*) AS n FROM registrations WHERE event_id = ?1 AND category = ?2 AND status = ?3"
                },
                vec![
                    event.id.into(),
                    category.as_str().into(),
                    RegistrationStatus::Confirmed.as_str().into(),
                ],
            ))
            .await?
            .context("count")?;
        let n: i64 = row.try_get("", "n")?;
        confirmed_total += n;
        overbooked += (n - i64::from(quota)).max(0);
    }
    overbooked += (confirmed_total - 50).max(0);
    println!(
        "backend={} requests={requests} concurrency={concurrency} warm_up={warm_up} non_201={failures} elapsed={:.2}s \
         rate={:.0}/s p50={:.1}ms p99={:.1}ms max={:.1}ms confirmed={confirmed_total}/50 overbooked={overbooked} \
         process_cpu_per_request={:.2}ms machine_busy={busy:.0}% steal={steal:.0}%",
        if url.starts_with("postgres") {
            "postgresql"
        } else {
            "sqlite"
        },
        elapsed.as_secs_f64(),
        requests as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        cpu * 1000.0 / requests as f64,
    );
    anyhow::ensure!(overbooked == 0, "overbooked seats: {overbooked}");
    Ok(())
}
