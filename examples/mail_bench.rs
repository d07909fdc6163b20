//! Mail at the relay's pace: how fast the outbox worker drains a campaign into a local SMTP
//! relay (aiosmtpd's `Sink`, which accepts and drops every message), alone, then while a
//! registration rush runs against the same server.
//!
//!     cargo run --release --example mail_bench -- [DATABASE_URL] [MAILS] [RUSH]
//!
//! DATABASE_URL: `sqlite` (default) or `postgres://…/db`. MAILS (default 3000) confirmation
//! mails (each with its `.ics`) are queued by registering that many people over HTTP, then the
//! worker (as `serve` runs it, SMTP to the relay) sends them; the time from its start to the
//! last row marked sent gives mails/s. Then MAILS more are queued and drained while RUSH
//! (default 4000) registrations by 64 clients hit another event: rush requests/s and p50/p99,
//! and the drain's pace meanwhile. Needs `python3 -m aiosmtpd` (pip install aiosmtpd).

#[path = "support/fresh_database.rs"]
mod fresh_database;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use fresh_database::fresh_url;
use matinale_api::{AppState, Config};
use matinale_domain::event::{EventDraft, EventFields, EventKind, EventStatus, VenueDraft};
use matinale_domain::user::{NewUser, Role};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use tokio::sync::Semaphore;
use uuid::Uuid;

/// The relay, killed when dropped.
struct Relay(Child);

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn start_relay() -> anyhow::Result<(Relay, u16)> {
    let port = free_port()?;
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("python3 -m aiosmtpd (pip install aiosmtpd)")?;
    let relay = Relay(child);
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Ok((relay, port));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("aiosmtpd did not listen on {port}")
}

/// `n` registrations to `endpoint` by `concurrency` clients; the latencies of the 201s.
async fn register(
    client: &reqwest::Client,
    endpoint: &str,
    label: &str,
    n: usize,
    concurrency: usize,
) -> anyhow::Result<Vec<Duration>> {
    let gate = Arc::new(Semaphore::new(concurrency));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let permit = gate.clone().acquire_owned().await?;
        let (client, endpoint, label) = (client.clone(), endpoint.to_owned(), label.to_owned());
        tasks.push(tokio::spawn(async move {
            let body = json!({"category": "visitor", "locale": if i % 3 == 0 { "en" } else { "fr" },
                "person": {"first_name": "Éloïse", "last_name": format!("{label} {i}"),
                    "email": format!("{label}{i}@bench.matinale")}});
            let sent = Instant::now();
            let answer = client.post(&endpoint).json(&body).send().await;
            let elapsed = sent.elapsed();
            drop(permit);
            match answer {
                Ok(r) if r.status().as_u16() == 201 => Some(elapsed),
                Ok(r) => {
                    eprintln!("{label} {i}: {}", r.status());
                    None
                }
                Err(e) => {
                    eprintln!("{label} {i}: {e}");
                    None
                }
            }
        }));
    }
    let mut latencies = Vec::with_capacity(n);
    for task in tasks {
        latencies.extend(task.await?);
    }
    Ok(latencies)
}

async fn count(db: &matinale_store::Store, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .connection()
        .query_one_raw(Statement::from_string(db.backend(), sql.to_owned()))
        .await?
        .context("a count")?;
    Ok(row.try_get_by_index(0)?)
}

/// Waits until `target` rows are sent; the time it took from `started`.
async fn drained(db: &matinale_store::Store, target: i64, started: Instant) -> anyhow::Result<Duration> {
    loop {
        let sent = count(db, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await?;
        if sent >= target {
            return Ok(started.elapsed());
        }
        let failed = count(db, "SELECT COUNT(*) FROM outbox WHERE status = 'failed'").await?;
        anyhow::ensure!(failed == 0, "{failed} mails failed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn event(db: &matinale_store::Store, actor: &matinale_domain::user::Actor, title: &str) -> anyhow::Result<Uuid> {
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s);
    let fields = EventFields::parse(EventDraft {
        series_id: None,
        kind: EventKind::Forum,
        title: title.into(),
        description: String::new(),
        starts_at: t("2099-11-25T09:00:00+01:00")?,
        ends_at: t("2099-11-25T17:30:00+01:00")?,
        timezone: "Europe/Paris".into(),
        venue: Some(VenueDraft {
            name: "Halle".into(),
            address: "1 rue de la Gare".into(),
            postcode: "94200".into(),
            city: "Ivry-sur-Seine".into(),
        }),
        online_url: None,
        capacity: 100_000,
        quotas: [None; 4],
        registration_opens_at: Some(t("2020-01-01T00:00:00+00:00")?),
        registration_closes_at: Some(t("2099-11-24T18:00:00+01:00")?),
        follow_up_days: None,
    })?;
    Ok(
        matinale_store::events::create(db, actor, fields, EventStatus::Published, &[])
            .await?
            .id,
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().collect();
    let base = args.get(1).cloned().unwrap_or_else(|| "sqlite".into());
    let mails: usize = args.get(2).map_or(Ok(3000), |s| s.parse())?;
    let rush: usize = args.get(3).map_or(Ok(4000), |s| s.parse())?;
    let (_relay, smtp_port) = start_relay().await?;

    let url = fresh_url(&base, "mail").await?;
    let db = matinale_store::connect(&url).await?;
    matinale_store::migrate(&db).await?;
    let user = matinale_store::accounts::create_user(
        &db,
        NewUser::parse("mail@bench.matinale", "Bench", Role::Organiser, "correct horse battery")?,
    )
    .await?;
    let actor = matinale_domain::user::Actor {
        user_id: user.id,
        role: Role::Organiser,
    };
    let campaign = event(&db, &actor, "Campagne").await?;
    let rushed = event(&db, &actor, "Ruée").await?;

    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let config = Config {
        database_url: url.clone(),
        bind: format!("127.0.0.1:{port}"),
        public_url: format!("http://127.0.0.1:{port}"),
        smtp_url: Some(format!("smtp://127.0.0.1:{smtp_port}")),
        worker: false,
        registration_rate_per_minute: 0,
        worker_idle: Duration::from_millis(50),
        ..Config::default()
    };
    let settings = config.worker_settings();
    tokio::spawn(matinale_api::serve(listener, AppState::new(db.clone(), config))?);
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
    let endpoint = |id: Uuid| format!("http://127.0.0.1:{port}/api/v1/events/{id}/registrations");

    // 1. The campaign alone.
    let queued = register(&client, &endpoint(campaign), "campaign", mails, 32)
        .await?
        .len() as i64;
    let started = Instant::now();
    let worker = matinale_worker::MailWorker::start(db.clone(), &settings, matinale_worker::mailer(&settings)?);
    let took = drained(&db, queued, started).await?;
    println!(
        "{base}: {queued} mails drained in {:.2} s: {:.0} mails/s (SMTP to aiosmtpd Sink, batch {}, {} at once)",
        took.as_secs_f64(),
        queued as f64 / took.as_secs_f64(),
        settings.batch,
        matinale_notify::delivery::SMTP_CONNECTIONS,
    );
    worker.stop().await;
    if rush == 0 {
        return Ok(());
    }

    // 2. Another campaign, drained while a rush registers at another event.
    let more = register(&client, &endpoint(campaign), "second", mails, 32).await?.len() as i64;
    let target = queued + more + rush as i64;
    let started = Instant::now();
    let worker = matinale_worker::MailWorker::start(db.clone(), &settings, matinale_worker::mailer(&settings)?);
    let rush_started = Instant::now();
    let mut latencies = register(&client, &endpoint(rushed), "rush", rush, 64).await?;
    let rush_took = rush_started.elapsed();
    let sent_during_rush = count(&db, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await? - queued;
    let took = drained(&db, target, started).await?;
    worker.stop().await;
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    println!(
        "{base}: rush of {} registrations (64 clients) while draining: {:.0}/s, p50 {:.1} ms, p99 {:.1} ms; \
         {} mails sent during the rush ({:.0}/s); all {} mails drained in {:.2} s ({:.0}/s)",
        latencies.len(),
        latencies.len() as f64 / rush_took.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        sent_during_rush,
        sent_during_rush as f64 / rush_took.as_secs_f64(),
        target - queued,
        took.as_secs_f64(),
        (target - queued) as f64 / took.as_secs_f64(),
    );
    Ok(())
}
