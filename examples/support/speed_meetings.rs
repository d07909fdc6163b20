//! The speed-meeting benchmarks' event, made through the store: an event, a block, buyers and
//! ESS structures registered, their availability, limits and wishes, shaped like a real event
//! by the scheduler's generator. Shared by `meetings_bench` and `replan_bench`.

// Each example reads the part of `Filled` it needs.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use matinale_domain::event::{Category, EventDraft, EventFields, EventKind, EventStatus, VenueDraft};
use matinale_domain::meeting::{MeetingBlockDraft, WishPriority};
use matinale_domain::registration::{Consents, Locale, NewRegistration, Person};
use matinale_domain::user::Actor;
use matinale_scheduler::{generate, GeneratorParams, Instance};
use matinale_store::meeting_preferences::PreferencesChange;
use matinale_store::registrations::{Credential, Outcome};
use matinale_store::wishes::NewWish;
use tokio::sync::Semaphore;
use uuid::Uuid;

/// (name, buyers, suppliers, slots, tables, generator seed).
pub type Size = (&'static str, u32, u32, u32, u32, u64);

pub const SIZES: [Size; 2] = [("forum", 100, 400, 16, 60, 2), ("regional", 1000, 5000, 24, 400, 3)];

/// The command line of the speed-meeting benchmarks, `[DATABASE] [SIZE…]`: the database
/// (`sqlite` by default) and the sizes asked for, in the order of [`SIZES`] (the forum by
/// default); an unknown size is an error.
pub fn database_and_sizes() -> anyhow::Result<(String, Vec<Size>)> {
    let args: Vec<String> = std::env::args().collect();
    let base = args.get(1).cloned().unwrap_or_else(|| "sqlite".into());
    let wanted: Vec<&str> = if args.len() > 2 {
        args[2..].iter().map(String::as_str).collect()
    } else {
        vec!["forum"]
    };
    for name in &wanted {
        anyhow::ensure!(
            SIZES.iter().any(|s| s.0 == *name),
            "unknown size {name}: forum or regional"
        );
    }
    Ok((base, SIZES.into_iter().filter(|s| wanted.contains(&s.0)).collect()))
}

/// Concurrent store calls while filling.
const FILLERS: usize = 16;

/// Runs `work` over `items`, `FILLERS` at a time.
pub async fn in_parallel<T, F, Fut>(items: Vec<T>, work: F) -> anyhow::Result<Vec<Fut::Output>>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let gate = Arc::new(Semaphore::new(FILLERS));
    let work = Arc::new(work);
    let mut tasks = Vec::with_capacity(items.len());
    for item in items {
        let permit = gate.clone().acquire_owned().await?;
        let work = work.clone();
        tasks.push(tokio::spawn(async move {
            let out = work(item).await;
            drop(permit);
            out
        }));
    }
    let mut out = Vec::with_capacity(tasks.len());
    for task in tasks {
        out.push(task.await?);
    }
    Ok(out)
}

/// What [`fill`] made.
pub struct Filled {
    /// The event.
    pub event_id: Uuid,
    /// Its block's slots, in time order.
    pub slots: Vec<Uuid>,
    /// The registration of each participant of the generated instance, by its id there.
    pub registrations: HashMap<String, Uuid>,
    /// Wishes made.
    pub wishes: usize,
}

/// The event, its block and its people, made from a generated instance.
pub async fn fill(db: &matinale_store::Store, actor: Actor, size: Size) -> anyhow::Result<Filled> {
    let (name, buyers, suppliers, slots, tables, seed) = size;
    let generated: Instance = generate(&GeneratorParams {
        buyers,
        suppliers,
        slots,
        tables,
        seed,
    });
    let day: DateTime<Utc> = "2099-11-26T07:00:00Z".parse()?;
    let fields = EventFields::parse(EventDraft {
        series_id: None,
        kind: EventKind::Forum,
        title: format!("Speed meetings bench ({name})"),
        description: String::new(),
        starts_at: day.fixed_offset(),
        ends_at: (day + Duration::hours(8)).fixed_offset(),
        timezone: "Europe/Paris".into(),
        venue: Some(VenueDraft {
            name: "Parc des expositions".into(),
            address: "1 avenue de la Foire".into(),
            postcode: "94000".into(),
            city: "Créteil".into(),
        }),
        online_url: None,
        capacity: i64::from(buyers + suppliers),
        quotas: [None, None, None, None],
        registration_opens_at: Some("2020-01-01T00:00:00+00:00".parse()?),
        registration_closes_at: Some((day - Duration::days(1)).fixed_offset()),
        follow_up_days: None,
    })?;
    let event = matinale_store::events::create(db, &actor, fields, EventStatus::Published, &[]).await?;
    let block_start = day + Duration::minutes(30);
    let block = matinale_store::meeting_blocks::create(
        db,
        event.id,
        &actor,
        MeetingBlockDraft {
            starts_at: block_start,
            ends_at: block_start + Duration::minutes(i64::from(slots) * 12 - 2),
            slot_minutes: 10,
            break_minutes: 2,
            tables: i64::from(tables),
            table_labels: None,
        },
    )
    .await?;
    anyhow::ensure!(
        block.slots.len() == slots as usize,
        "the block has {} slots",
        block.slots.len()
    );
    let slot_of: HashMap<String, Uuid> = generated
        .slots
        .iter()
        .zip(&block.slots)
        .map(|(g, s)| (g.id.clone(), s.id))
        .collect();

    // Registrations, one per generated participant.
    let people: Vec<(String, Category)> = generated
        .participants
        .iter()
        .map(|p| {
            let category = match p.side {
                matinale_scheduler::Side::Buyer => Category::Buyer,
                matinale_scheduler::Side::Supplier => Category::EssStructure,
            };
            (p.id.clone(), category)
        })
        .collect();
    let event_id = event.id;
    let shared_db = db.clone();
    let registered = in_parallel(people, move |(id, category)| {
        let db = shared_db.clone();
        async move {
            let new = NewRegistration {
                category,
                person: Person::parse("Bench", &id, &format!("{id}@bench.matinale"), None)?,
                organisation_id: None,
                locale: Locale::Fr,
                accessibility_needs: None,
                consents: Consents { share_contact: true },
                email_proven: false,
            };
            match matinale_store::registrations::register(&db, event_id, new, None).await? {
                Outcome::Created(r) => Ok::<_, anyhow::Error>((id, r.registration.id)),
                Outcome::Replayed { .. } => anyhow::bail!("a replay without a key"),
            }
        }
    })
    .await?;
    let mut registration_of = HashMap::new();
    for r in registered {
        let (id, registration) = r?;
        registration_of.insert(id, registration);
    }

    // Availability and limits.
    let all_slots: Vec<Uuid> = block.slots.iter().map(|s| s.id).collect();
    let mut changes = Vec::new();
    for p in &generated.participants {
        if p.available.is_none() && p.max_meetings.is_none() {
            continue;
        }
        let available: Vec<Uuid> = p
            .available
            .iter()
            .flatten()
            .filter_map(|s| slot_of.get(s).copied())
            .collect();
        let unavailable = match &p.available {
            Some(_) => all_slots.iter().copied().filter(|s| !available.contains(s)).collect(),
            None => Vec::new(),
        };
        changes.push((
            registration_of[&p.id],
            PreferencesChange {
                opt_in: Some(true),
                max_meetings: Some(p.max_meetings.map(i64::from)),
                unavailable_slot_ids: Some(unavailable),
                open_to_any: None,
            },
        ));
    }
    let shared_db = db.clone();
    for r in in_parallel(changes, move |(id, change)| {
        let db = shared_db.clone();
        async move { matinale_store::meeting_preferences::set(&db, event_id, id, change).await }
    })
    .await?
    {
        r?;
    }

    // Wishes, as their makers would post them.
    let wishes: Vec<NewWish> = generated
        .wishes
        .iter()
        .map(|w| {
            Ok(NewWish {
                from_registration_id: registration_of[&w.from],
                to_registration_id: registration_of[&w.to],
                priority: WishPriority::parse(w.weight)?,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let count = wishes.len();
    let shared_db = db.clone();
    for r in in_parallel(wishes, move |wish| {
        let db = shared_db.clone();
        async move { matinale_store::wishes::make(&db, event_id, &Credential::User(actor), wish).await }
    })
    .await?
    {
        r?;
    }
    Ok(Filled {
        event_id: event.id,
        slots: all_slots,
        registrations: registration_of,
        wishes: count,
    })
}
