//! Re-planning the rest of a block on the day, end to end, on the speed-meeting benchmark's
//! events (filled through the store as `meetings_bench` does): the schedule drawn and published
//! over HTTP, 20 % of the participants absent (chosen with a fixed seed), the others checked in,
//! then the re-plan from the third slot timed from request to answer —
//! `POST /events/{id}/schedule/replan` with `{"from_slot_id": <third slot>}` against the real
//! server in this process, every mail queued when it answers.
//!
//!     cargo run --release --example replan_bench -- [DATABASE_URL] [SIZE…]
//!     make bench-replan          # forum and regional, on SQLite then PostgreSQL
//!
//! DATABASE_URL: `sqlite` (default, a temporary file) or `postgres://…/db` (a new database is
//! created on that server). SIZE: `forum` (100 buyers × 400 structures, 16 slots, 60 tables)
//! and/or `regional` (1,000 × 5,000, 24 slots, 400 tables); default `forum`.
//!
//! Each size runs twice on an event of its own: `wishes` (nobody open to anyone) and
//! `open_to_any` (every second participant would meet anyone). Each run checks, and prints:
//! - no meeting to come (third slot on) with an absent side;
//! - every meeting to come between two present people kept exactly (id, slot, table);
//! - no wished pair of present people that has not met, both idle and under their caps in a
//!   slot to come where a table is free;
//! - the wished meetings to come among present people against the upper bound the scheduler
//!   proves (`matinale_scheduler::schedule`, the Lagrangian bound ≥ the LP optimum) on the
//!   remaining problem, rebuilt here from the instance the API serves: the slots to come, the
//!   present people (caps less their past meetings), the wishes of pairs that have not met, the
//!   meetings kept fixed. `ratio` = objective / bound (target ≥ 0.98; the objective counts the
//!   kept meetings too, fixed in both), `ratio_freed` the same without the kept meetings'
//!   share (what the re-plan itself chose);
//! - the time from request to answer (target < 1 s forum, < 10 s regional), the mails queued,
//!   the people notified, and the meetings the re-plan adds over doing nothing (kept alone),
//!   of which between people open to anyone.
//!
//! It exits non-zero when a check fails (not when a time or quality target is missed).

#[path = "support/bench_server.rs"]
mod bench_server;
#[path = "support/speed_meetings.rs"]
mod speed_meetings;

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use anyhow::Context;
use matinale_domain::meeting::MeetingStatus;
use matinale_domain::user::Actor;
use matinale_scheduler::{Instance, KeptMeeting, Side};
use matinale_store::meeting_preferences::PreferencesChange;
use matinale_store::meetings::{MeetingFilter, MeetingView};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use speed_meetings::{fill, in_parallel, Size};
use uuid::Uuid;

/// Share of the participants absent on the day.
const ABSENT: f64 = 0.2;
/// The first slot re-planned, from 0.
const FIRST: usize = 2;
/// Seed of the draw of the absent.
const SEED: u64 = 2026;

/// One meeting as the checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Booked {
    id: Uuid,
    slot: usize,
    table: u32,
    buyer: Uuid,
    supplier: Uuid,
    live: bool,
}

/// Every meeting of `event`, its slot as an index into `slots`.
async fn meetings(
    db: &matinale_store::Store,
    event: Uuid,
    actor: &Actor,
    slots: &[Uuid],
) -> anyhow::Result<Vec<Booked>> {
    let index: HashMap<Uuid, usize> = slots.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let all = matinale_store::meetings::list(db, event, actor, MeetingFilter::default(), None).await?;
    all.meetings
        .items
        .into_iter()
        .map(|m: MeetingView| {
            Ok(Booked {
                id: m.id,
                slot: *index.get(&m.slot_id).context("a slot of the block")?,
                table: m.table,
                buyer: m.buyer.registration_id,
                supplier: m.supplier.registration_id,
                live: m.status != Some(MeetingStatus::Cancelled),
            })
        })
        .collect()
}

/// Rows of the event's outbox.
async fn mails(db: &matinale_store::Store, event: Uuid) -> anyhow::Result<i64> {
    let backend = db.get_database_backend();
    let sql = if backend == sea_orm::DbBackend::Postgres {
        "SELECT COUNT(*) AS n FROM outbox WHERE event_id = $1"
    } else {
        "SELECT COUNT(*) AS n FROM outbox WHERE event_id = ?1"
    };
    Ok(db
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            sql,
            vec![event.into()],
        ))
        .await?
        .context("count")?
        .try_get::<i64>("", "n")?)
}

async fn http(client: &reqwest::Client, url: &str, token: &str, body: Option<Value>) -> anyhow::Result<Value> {
    let request = match body {
        Some(body) => client.post(url).json(&body),
        None => client.get(url),
    };
    let response = request.bearer_auth(token).send().await?;
    let status = response.status();
    let body: Value = response.json().await?;
    anyhow::ensure!(status.is_success(), "{url}: {status} {body}");
    Ok(body)
}

/// What one run measured, and the checks that failed.
struct Run {
    line: String,
    failures: Vec<String>,
}

/// The remaining problem of the re-plan from `FIRST`, as the scheduler would see it (see the
/// module's documentation), and the meetings it keeps fixed.
fn remaining_problem(
    instance: &Instance,
    slots: &[Uuid],
    present: &HashSet<Uuid>,
    before: &[Booked],
) -> (Instance, Vec<Booked>) {
    let to_come: HashSet<String> = slots[FIRST..].iter().map(Uuid::to_string).collect();
    let mut past: HashMap<Uuid, u32> = HashMap::new();
    let mut met: HashSet<(Uuid, Uuid)> = HashSet::new();
    for m in before.iter().filter(|m| m.live && m.slot < FIRST) {
        *past.entry(m.buyer).or_default() += 1;
        *past.entry(m.supplier).or_default() += 1;
        met.insert((m.buyer, m.supplier));
    }
    let kept: Vec<Booked> = before
        .iter()
        .filter(|m| m.live && m.slot >= FIRST && present.contains(&m.buyer) && present.contains(&m.supplier))
        .cloned()
        .collect();
    let id = |text: &str| Uuid::parse_str(text).unwrap_or_default();
    let participants = instance
        .participants
        .iter()
        .filter(|p| present.contains(&id(&p.id)))
        .map(|p| {
            let mut p = p.clone();
            p.available = p
                .available
                .map(|a| a.into_iter().filter(|s| to_come.contains(s)).collect());
            p.max_meetings = p
                .max_meetings
                .map(|max| max.saturating_sub(past.get(&id(&p.id)).copied().unwrap_or(0)));
            p
        })
        .collect();
    let remaining = Instance {
        coverage_bonus: instance.coverage_bonus,
        slots: instance
            .slots
            .iter()
            .filter(|s| to_come.contains(&s.id))
            .cloned()
            .collect(),
        participants,
        wishes: instance
            .wishes
            .iter()
            .filter(|w| {
                let (from, to) = (id(&w.from), id(&w.to));
                present.contains(&from)
                    && present.contains(&to)
                    && !met.contains(&(from, to))
                    && !met.contains(&(to, from))
            })
            .cloned()
            .collect(),
        kept: kept
            .iter()
            .map(|m| KeptMeeting {
                buyer: m.buyer.to_string(),
                supplier: m.supplier.to_string(),
                slot: slots[m.slot].to_string(),
                table: m.table,
            })
            .collect(),
    };
    (remaining, kept)
}

/// Score (both wishes' weights) of each wished pair of `instance`, by (buyer, supplier).
fn scores(instance: &Instance) -> HashMap<(Uuid, Uuid), i64> {
    let side: HashMap<&str, Side> = instance.participants.iter().map(|p| (p.id.as_str(), p.side)).collect();
    let mut out: HashMap<(Uuid, Uuid), i64> = HashMap::new();
    for w in &instance.wishes {
        let (from, to) = (
            Uuid::parse_str(&w.from).unwrap_or_default(),
            Uuid::parse_str(&w.to).unwrap_or_default(),
        );
        let pair = if side.get(w.from.as_str()) == Some(&Side::Buyer) {
            (from, to)
        } else {
            (to, from)
        };
        *out.entry(pair).or_default() += w.weight;
    }
    out
}

/// The objective of `booked` (scores plus the coverage bonus of each person met).
fn objective(booked: &[&Booked], scores: &HashMap<(Uuid, Uuid), i64>, bonus: i64) -> i64 {
    let people: HashSet<Uuid> = booked.iter().flat_map(|m| [m.buyer, m.supplier]).collect();
    booked
        .iter()
        .map(|m| scores.get(&(m.buyer, m.supplier)).copied().unwrap_or(0))
        .sum::<i64>()
        + bonus * people.len() as i64
}

/// Wished pairs of present people that have not met, both idle and under their caps in a slot
/// to come where a table is free: (buyer, supplier, slot index).
fn idle_wished_pairs(instance: &Instance, slots: &[Uuid], present: &HashSet<Uuid>, after: &[Booked]) -> Vec<String> {
    let live: Vec<&Booked> = after.iter().filter(|m| m.live).collect();
    let mut busy: HashSet<(Uuid, usize)> = HashSet::new();
    let mut used: HashMap<usize, u32> = HashMap::new();
    let mut count: HashMap<Uuid, u32> = HashMap::new();
    let mut met: HashSet<(Uuid, Uuid)> = HashSet::new();
    for m in &live {
        busy.insert((m.buyer, m.slot));
        busy.insert((m.supplier, m.slot));
        *used.entry(m.slot).or_default() += 1;
        *count.entry(m.buyer).or_default() += 1;
        *count.entry(m.supplier).or_default() += 1;
        met.insert((m.buyer, m.supplier));
    }
    let people: HashMap<Uuid, &matinale_scheduler::Participant> = instance
        .participants
        .iter()
        .map(|p| (Uuid::parse_str(&p.id).unwrap_or_default(), p))
        .collect();
    let tables: HashMap<String, u32> = instance.slots.iter().map(|s| (s.id.clone(), s.tables)).collect();
    let free = |p: Uuid, t: usize| -> bool {
        let Some(person) = people.get(&p) else { return false };
        let slot = slots[t].to_string();
        present.contains(&p)
            && !busy.contains(&(p, t))
            && person.available.as_ref().is_none_or(|a| a.contains(&slot))
            && person
                .max_meetings
                .is_none_or(|max| count.get(&p).copied().unwrap_or(0) < max)
    };
    let mut found = Vec::new();
    for &(buyer, supplier) in scores(instance).keys() {
        if met.contains(&(buyer, supplier)) {
            continue;
        }
        for (t, slot) in slots.iter().enumerate().skip(FIRST) {
            let table_free = used.get(&t).copied().unwrap_or(0) < tables.get(&slot.to_string()).copied().unwrap_or(0);
            if table_free && free(buyer, t) && free(supplier, t) {
                found.push(format!("{buyer}–{supplier} in slot {}", t + 1));
            }
        }
    }
    found.sort();
    found
}

#[allow(clippy::too_many_arguments)]
async fn run(
    db: &matinale_store::Store,
    client: &reqwest::Client,
    api: &str,
    token: &str,
    actor: Actor,
    size: Size,
    open_to_any: bool,
    backend: &str,
) -> anyhow::Result<Run> {
    let mut failures = Vec::new();
    let filled = fill(db, actor, size).await?;
    let event = filled.event_id;
    let mut people: Vec<(&String, Uuid)> = filled.registrations.iter().map(|(k, v)| (k, *v)).collect();
    people.sort();
    if open_to_any {
        let half: Vec<Uuid> = people.iter().step_by(2).map(|p| p.1).collect();
        let shared = db.clone();
        for r in in_parallel(half, move |id| {
            let db = shared.clone();
            async move {
                let change = PreferencesChange {
                    opt_in: None,
                    max_meetings: None,
                    unavailable_slot_ids: None,
                    open_to_any: Some(true),
                };
                matinale_store::meeting_preferences::set(&db, event, id, change).await
            }
        })
        .await?
        {
            r?;
        }
    }
    http(
        client,
        &format!("{api}/events/{event}/schedule"),
        token,
        Some(json!({})),
    )
    .await?;
    http(
        client,
        &format!("{api}/events/{event}/schedule/publish"),
        token,
        Some(json!({})),
    )
    .await?;
    let instance: Instance =
        serde_json::from_value(http(client, &format!("{api}/events/{event}/schedule/instance"), token, None).await?)?;
    let before = meetings(db, event, &actor, &filled.slots).await?;

    // 20 % absent, drawn with a fixed seed; the others check in.
    let mut order: Vec<Uuid> = people.iter().map(|p| p.1).collect();
    order.shuffle(&mut rand::rngs::StdRng::seed_from_u64(SEED));
    let absent_count = (order.len() as f64 * ABSENT).round() as usize;
    let absent: HashSet<Uuid> = order[..absent_count].iter().copied().collect();
    let present: HashSet<Uuid> = order[absent_count..].iter().copied().collect();
    let shared = db.clone();
    for r in in_parallel(present.iter().copied().collect(), move |id| {
        let db = shared.clone();
        async move { matinale_store::registrations::check_in(&db, event, id, &actor).await }
    })
    .await?
    {
        r?;
    }

    let mails_before = mails(db, event).await?;
    let started = Instant::now();
    let answer = http(
        client,
        &format!("{api}/events/{event}/schedule/replan"),
        token,
        Some(json!({"from_slot_id": filled.slots[FIRST]})),
    )
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    let mails_queued = mails(db, event).await? - mails_before;
    let after = meetings(db, event, &actor, &filled.slots).await?;
    let ids = |key: &str| -> HashSet<Uuid> {
        answer[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().and_then(|s| Uuid::parse_str(s).ok()))
            .collect()
    };
    let (kept_ids, cancelled_ids, added_ids) = (ids("kept"), ids("cancelled"), ids("added"));

    // No meeting to come with an absent side.
    let with_absent = after
        .iter()
        .filter(|m| m.live && m.slot >= FIRST && (absent.contains(&m.buyer) || absent.contains(&m.supplier)))
        .count();
    if with_absent > 0 {
        failures.push(format!("{with_absent} meetings to come have an absent side"));
    }
    // Every meeting to come between present people kept exactly.
    let (remaining, kept) = remaining_problem(&instance, &filled.slots, &present, &before);
    let now: HashMap<Uuid, &Booked> = after.iter().map(|m| (m.id, m)).collect();
    let moved = kept
        .iter()
        .filter(|m| {
            now.get(&m.id)
                .is_none_or(|n| !n.live || n.slot != m.slot || n.table != m.table)
        })
        .count();
    if moved > 0 {
        failures.push(format!("{moved} meetings of present people were not kept as they were"));
    }
    let kept_expected: HashSet<Uuid> = kept.iter().map(|m| m.id).collect();
    if kept_ids != kept_expected {
        failures.push(format!(
            "the answer keeps {} meetings, {} were between present people",
            kept_ids.len(),
            kept_expected.len()
        ));
    }
    let to_cancel: HashSet<Uuid> = before
        .iter()
        .filter(|m| m.live && m.slot >= FIRST && !kept_expected.contains(&m.id))
        .map(|m| m.id)
        .collect();
    if cancelled_ids != to_cancel {
        failures.push(format!(
            "the answer cancels {} meetings, {} had an absent side",
            cancelled_ids.len(),
            to_cancel.len()
        ));
    }
    // No wished pair idle together next to a free table.
    let idle = idle_wished_pairs(&instance, &filled.slots, &present, &after);
    if !idle.is_empty() {
        failures.push(format!(
            "{} wished pairs of present people sit idle in a slot with a free table, e.g. {}",
            idle.len(),
            idle[0]
        ));
    }
    if !cancelled_ids.is_empty() && mails_queued == 0 {
        failures.push("meetings were cancelled and nobody was mailed".into());
    }

    // Quality against the bound of the remaining problem.
    let bonus = remaining.coverage_bonus;
    let wished = scores(&remaining);
    let kept_set: HashSet<Uuid> = kept_expected;
    let to_come: Vec<&Booked> = after
        .iter()
        .filter(|m| m.live && m.slot >= FIRST)
        .filter(|m| kept_set.contains(&m.id) || wished.contains_key(&(m.buyer, m.supplier)))
        .collect();
    let kept_refs: Vec<&Booked> = kept.iter().collect();
    let reached = objective(&to_come, &wished, bonus);
    let fixed = objective(&kept_refs, &wished, bonus);
    let offline = tokio::task::spawn_blocking(move || matinale_scheduler::schedule(&remaining)).await??;
    let bound = offline.upper_bound;
    let ratio = if bound > 0.0 { reached as f64 / bound } else { 1.0 };
    let ratio_freed = if bound - fixed as f64 > 0.0 {
        (reached - fixed) as f64 / (bound - fixed as f64)
    } else {
        1.0
    };
    if reached as f64 > bound + 1e-6 {
        failures.push(format!("the objective {reached} is above the bound {bound}"));
    }

    let (name, ..) = size;
    let time_target = if name == "regional" { 10.0 } else { 1.0 };
    let line = format!(
        "backend={backend} size={name} variant={} participants={} absent={} kept={} cancelled={} added={} \
         open_to_any_meetings={} held_if_nothing={} held_after={} notified={} mails={mails_queued} \
         replan={seconds:.3}s replan_millis={} time_target=<{time_target}s:{} objective={reached} \
         upper_bound={bound:.1} ratio={ratio:.4} ratio_freed={ratio_freed:.4} quality_target=0.98:{} \
         offline_objective={} checks={}",
        if open_to_any { "open_to_any" } else { "wishes" },
        people.len(),
        absent.len(),
        kept_ids.len(),
        cancelled_ids.len(),
        added_ids.len(),
        answer["open_to_any_meetings"],
        kept_ids.len(),
        kept_ids.len() + added_ids.len(),
        answer["notified"],
        answer["millis"],
        if seconds < time_target { "met" } else { "NOT met" },
        if ratio >= 0.98 { "met" } else { "NOT met" },
        offline.objective,
        if failures.is_empty() { "ok" } else { "FAILED" },
    );
    Ok(Run { line, failures })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let (base, sizes) = speed_meetings::database_and_sizes()?;
    let bench = bench_server::start(&base, "replan").await?;
    let backend = bench.backend();
    let bench_server::Bench {
        db,
        actor,
        api,
        client,
        token,
        ..
    } = bench;

    let mut failed = Vec::new();
    for size in &sizes {
        for open_to_any in [false, true] {
            let done = run(&db, &client, &api, &token, actor, *size, open_to_any, backend).await?;
            println!("{}", done.line);
            for f in done.failures {
                eprintln!("CHECK FAILED ({}, open_to_any={open_to_any}): {f}", size.0);
                failed.push(f);
            }
        }
    }
    anyhow::ensure!(failed.is_empty(), "{} checks failed", failed.len());
    Ok(())
}
