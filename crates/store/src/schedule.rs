//! The event's one draft schedule: built from the database (slots, who takes part and when,
//! wishes, declines, published meetings kept), solved by `matinale_scheduler` off the async
//! executor, and stored until the organiser publishes it ([`crate::meetings::publish`]).
//!
//! One run at a time per event, across processes: a run first claims the event's
//! `schedule_drafts` row (`run_token`), and only the claim that wrote it may store its result.
//! A claim older than [`STALE_RUN_MINUTES`] (its process died) may be taken over.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use matinale_domain::event::Category;
use matinale_domain::meeting::{stand_tables, MeetingStatus, Side};
use matinale_domain::registration::RegistrationStatus;
use matinale_domain::stand::StandKind;
use matinale_domain::user::Actor;
use matinale_scheduler::{self as scheduler, Instance, KeptMeeting, MeetingSlot, Participant, Wish};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::database::Store;
use crate::entity::text::Text;
use crate::entity::{
    meeting, meeting_block, meeting_preference, meeting_slot, organisation, registration, schedule_draft, stand,
};
use crate::error::{corrupt, Error};
use crate::meetings::{MeetingView, Roster};
use crate::open_to_any::OpenRoom;

mod claim;
pub use crate::draft::{DraftMeeting, DraftResult, ScheduleStats, SlotUse, Spread, WishTally};
use claim::store_draft;
pub(crate) use claim::{claim_run, release_run};

/// A run that has not finished after this long is taken to have died with its process.
pub const STALE_RUN_MINUTES: i64 = 10;

/// The event's draft, with its meetings resolved.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Id of this draft (a new one for every run).
    pub id: Uuid,
    /// The event.
    pub event_id: Uuid,
    /// When it was computed.
    pub created_at: DateTime<Utc>,
    /// When it was published, if it was.
    pub published_at: Option<DateTime<Utc>>,
    /// Its meetings in time order, then by table; `status` is `None` for unpublished ones.
    pub meetings: Vec<MeetingView>,
    /// Its figures.
    pub stats: ScheduleStats,
    /// The event's zone, in which its times are shown.
    pub timezone: Tz,
}

/// The scheduler's instance for an event, and what maps its answer back to rows.
pub struct EventInstance {
    /// What `matinale schedule` would read.
    pub instance: Instance,
    /// Published meetings kept, by (buyer, supplier, slot, table).
    pub(crate) kept: HashMap<(Uuid, Uuid, Uuid, u32), Uuid>,
    /// Wishes (from, to) → priority, declined pairs left out.
    pub(crate) wishes: HashMap<(Uuid, Uuid), u8>,
    /// Participants' ids.
    participants: Vec<Uuid>,
    /// Slots: id → (start, tables).
    slots: Vec<(Uuid, DateTime<Utc>, u32)>,
}

fn id_of(text: &str) -> Result<Uuid, Error> {
    Uuid::parse_str(text).map_err(|_| corrupt("scheduler id"))
}

/// The table each organisation holding an inverted stand of the event keeps, from the blocks'
/// table labels ([`matinale_domain::meeting::stand_tables`]).
async fn stand_tables_of(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    blocks: &[meeting_block::Model],
) -> Result<HashMap<Uuid, u32>, Error> {
    let labels: Vec<Vec<String>> = blocks
        .iter()
        .filter_map(|b| b.table_labels.clone())
        .filter(|l| !l.is_null())
        .map(|l| serde_json::from_value(l).map_err(|_| corrupt("table labels")))
        .collect::<Result<_, _>>()?;
    if labels.is_empty() {
        return Ok(HashMap::new());
    }
    let holders: Vec<Uuid> = stand::Entity::find()
        .filter(stand::Column::EventId.eq(event_id))
        .filter(stand::Column::Kind.eq(StandKind::Inverted.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.organisation_id)
        .collect();
    let named: Vec<(Uuid, String)> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(holders))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok(stand_tables(&labels, &named).into_iter().collect())
}

/// Reads everything the scheduler needs about `event_id`.
pub async fn build_instance(db: &impl ConnectionTrait, event_id: Uuid) -> Result<EventInstance, Error> {
    let block_rows = meeting_block::Entity::find()
        .filter(meeting_block::Column::EventId.eq(event_id))
        .order_by_asc(meeting_block::Column::StartsAt)
        .all(db)
        .await?;
    let blocks: HashMap<Uuid, u32> = block_rows
        .iter()
        .map(|b| (b.id, u32::try_from(b.tables).unwrap_or(0)))
        .collect();
    let own_tables = stand_tables_of(db, event_id, &block_rows).await?;
    let mut seated: HashSet<Uuid> = HashSet::new();
    let slot_rows = meeting_slot::Entity::find()
        .filter(meeting_slot::Column::EventId.eq(event_id))
        .order_by_asc(meeting_slot::Column::StartsAt)
        .order_by_asc(meeting_slot::Column::Id)
        .all(db)
        .await?;
    let slots: Vec<(Uuid, DateTime<Utc>, u32)> = slot_rows
        .iter()
        .map(|s| (s.id, s.starts_at, blocks.get(&s.block_id).copied().unwrap_or(0)))
        .collect();
    let slot_ids: HashSet<Uuid> = slots.iter().map(|s| s.0).collect();

    let people = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Category.is_in([Category::Buyer.as_str(), Category::EssStructure.as_str()]))
        .filter(registration::Column::Status.is_in([
            RegistrationStatus::Confirmed.as_str(),
            RegistrationStatus::Attended.as_str(),
        ]))
        .order_by_asc(registration::Column::CreatedAt)
        .order_by_asc(registration::Column::Id)
        .all(db)
        .await?;
    let preferences: HashMap<Uuid, meeting_preference::Model> = load_preferences(db, event_id).await?;
    let mut sides: HashMap<Uuid, Side> = HashMap::new();
    let mut participants = Vec::new();
    let mut participant_ids = Vec::new();
    for r in &people {
        let category = r.category.get();
        let Some(side) = Side::of(category) else { continue };
        let preference = preferences.get(&r.id);
        if preference.is_some_and(|p| !p.opt_in) {
            continue;
        }
        let unavailable: HashSet<Uuid> = preference
            .map(|p| serde_json::from_value::<Vec<Uuid>>(p.unavailable_slot_ids.clone()))
            .transpose()
            .map_err(|_| corrupt("unavailable slots"))?
            .unwrap_or_default()
            .into_iter()
            .collect();
        let available = if unavailable.iter().any(|s| slot_ids.contains(s)) {
            Some(
                slots
                    .iter()
                    .filter(|s| !unavailable.contains(&s.0))
                    .map(|s| s.0.to_string())
                    .collect(),
            )
        } else {
            None
        };
        // The first confirmed buyer of an organisation holding an inverted stand keeps the
        // stand's table.
        let table = match (side, r.organisation_id, r.organisation_confirmed_at) {
            (Side::Buyer, Some(organisation), Some(_)) => own_tables
                .get(&organisation)
                .copied()
                .filter(|_| seated.insert(organisation)),
            _ => None,
        };
        sides.insert(r.id, side);
        participant_ids.push(r.id);
        participants.push(Participant {
            id: r.id.to_string(),
            side: match side {
                Side::Buyer => scheduler::Side::Buyer,
                Side::Supplier => scheduler::Side::Supplier,
            },
            available,
            max_meetings: preference
                .and_then(|p| p.max_meetings)
                .and_then(|m| u32::try_from(m).ok()),
            table,
        });
    }

    let declined = crate::wishes::declined_pairs(db, event_id).await?;
    let mut wishes: HashMap<(Uuid, Uuid), u8> = HashMap::new();
    let mut order: Vec<(Uuid, Uuid)> = Vec::new();
    for w in crate::wishes::event_wishes(db, event_id).await? {
        let (from, to) = (w.from_registration_id, w.to_registration_id);
        let (Some(a), Some(b)) = (sides.get(&from), sides.get(&to)) else {
            continue;
        };
        if a == b {
            continue;
        }
        let pair = if *a == Side::Buyer { (from, to) } else { (to, from) };
        if declined.contains(&pair) {
            continue;
        }
        let priority = w.priority.get();
        match wishes.get_mut(&(from, to)) {
            Some(p) => *p = (*p).max(priority),
            None => {
                wishes.insert((from, to), priority);
                order.push((from, to));
            }
        }
    }

    let published = meeting::Entity::find()
        .filter(meeting::Column::EventId.eq(event_id))
        .filter(meeting::Column::Status.ne(Text(MeetingStatus::Cancelled)))
        .order_by_asc(meeting::Column::Id)
        .all(db)
        .await?;
    let mut kept = HashMap::new();
    let mut kept_list = Vec::new();
    for m in published {
        if !slot_ids.contains(&m.slot_id) {
            continue;
        }
        let table = u32::try_from(m.table_no).map_err(|_| corrupt("table"))?;
        kept.insert(
            (m.buyer_registration_id, m.supplier_registration_id, m.slot_id, table),
            m.id,
        );
        kept_list.push(KeptMeeting {
            buyer: m.buyer_registration_id.to_string(),
            supplier: m.supplier_registration_id.to_string(),
            slot: m.slot_id.to_string(),
            table,
        });
    }

    let instance = Instance {
        coverage_bonus: scheduler::DEFAULT_COVERAGE_BONUS,
        slots: slot_rows
            .iter()
            .zip(&slots)
            .map(|(s, (_, _, tables))| MeetingSlot {
                id: s.id.to_string(),
                starts_at: s.starts_at.to_rfc3339(),
                ends_at: s.ends_at.to_rfc3339(),
                tables: *tables,
            })
            .collect(),
        participants,
        wishes: order
            .iter()
            .map(|(from, to)| Wish {
                from: from.to_string(),
                to: to.to_string(),
                weight: i64::from(wishes[&(*from, *to)]),
            })
            .collect(),
        kept: kept_list,
    };
    Ok(EventInstance {
        instance,
        kept,
        wishes,
        participants: participant_ids,
        slots,
    })
}

async fn load_preferences(
    db: &impl ConnectionTrait,
    event_id: Uuid,
) -> Result<HashMap<Uuid, meeting_preference::Model>, Error> {
    use sea_orm::sea_query::Query;
    let of_event = Query::select()
        .column(registration::Column::Id)
        .from(registration::Entity)
        .and_where(registration::Column::EventId.eq(event_id))
        .to_owned();
    Ok(meeting_preference::Entity::find()
        .filter(Condition::all().add(meeting_preference::Column::RegistrationId.in_subquery(of_event)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.registration_id, p))
        .collect())
}

/// The scheduler's instance of an event, for its organisers (the `matinale schedule` input).
pub async fn instance(db: &impl ConnectionTrait, event_id: Uuid, actor: &Actor) -> Result<Instance, Error> {
    crate::events::get_editable(db, event_id, actor).await?;
    Ok(build_instance(db, event_id).await?.instance)
}

/// Solves `built` and turns the answer into a draft; with `open`, the pairs of people who
/// would meet anyone are then seated where both are idle, every meeting of the wish pass fixed
/// ([`crate::open_to_any::fill_idle`]; they score 0 and are counted apart).
fn solve(built: &EventInstance, open: Option<&OpenRoom>) -> Result<DraftResult, Error> {
    let cannot = |e: scheduler::InstanceError| Error::Conflict(format!("the meetings cannot be scheduled: {e}"));
    let solution = scheduler::schedule(&built.instance).map_err(cannot)?;
    let mut meetings = Vec::with_capacity(solution.meetings.len());
    for m in &solution.meetings {
        let (buyer, supplier, slot) = (id_of(&m.buyer)?, id_of(&m.supplier)?, id_of(&m.slot)?);
        let published = built.kept.get(&(buyer, supplier, slot, m.table)).copied();
        meetings.push(DraftMeeting {
            id: published.unwrap_or_else(Uuid::now_v7),
            slot_id: slot,
            table: m.table,
            buyer_registration_id: buyer,
            supplier_registration_id: supplier,
            score: m.score,
            published: published.is_some(),
        });
    }
    let added = match open {
        Some(room) => crate::open_to_any::fill_idle(&built.instance, &solution.meetings, room).map_err(cannot)?,
        None => Vec::new(),
    };
    for m in &added {
        meetings.push(DraftMeeting {
            id: Uuid::now_v7(),
            slot_id: id_of(&m.slot)?,
            table: m.table,
            buyer_registration_id: id_of(&m.buyer)?,
            supplier_registration_id: id_of(&m.supplier)?,
            score: 0,
            published: false,
        });
    }
    let stats = stats(built, &solution, &meetings, added.len() as u32);
    Ok(DraftResult { meetings, stats })
}

/// The figures of a draft: the objective, bound and wish tallies are the wish pass's
/// (`solution`); the counts of meetings, people met and tables used cover every meeting,
/// `open_to_any` of them seated for people who would meet anyone.
fn stats(
    built: &EventInstance,
    solution: &scheduler::Solution,
    meetings: &[DraftMeeting],
    open_to_any: u32,
) -> ScheduleStats {
    let pairs: HashSet<(Uuid, Uuid)> = meetings
        .iter()
        .map(|m| (m.buyer_registration_id, m.supplier_registration_id))
        .collect();
    let mut by_priority: BTreeMap<u8, (u32, u32)> = (1..=3).map(|p| (p, (0, 0))).collect();
    let mut asking: HashSet<Uuid> = HashSet::new();
    for (&(from, to), &priority) in &built.wishes {
        asking.insert(from);
        asking.insert(to);
        let tally = by_priority.entry(priority).or_default();
        tally.0 += 1;
        if pairs.contains(&(from, to)) || pairs.contains(&(to, from)) {
            tally.1 += 1;
        }
    }
    let mut count: HashMap<Uuid, u32> = HashMap::new();
    for m in meetings {
        *count.entry(m.buyer_registration_id).or_default() += 1;
        *count.entry(m.supplier_registration_id).or_default() += 1;
    }
    let mut per_asking: Vec<u32> = built
        .participants
        .iter()
        .filter(|p| asking.contains(p))
        .map(|p| count.get(p).copied().unwrap_or(0))
        .collect();
    per_asking.sort_unstable();
    let spread = if per_asking.is_empty() {
        Spread::default()
    } else {
        Spread {
            min: per_asking[0],
            median: per_asking[(per_asking.len() - 1) / 2],
            max: per_asking[per_asking.len() - 1],
        }
    };
    let mut used: HashMap<Uuid, u32> = HashMap::new();
    for m in meetings {
        *used.entry(m.slot_id).or_default() += 1;
    }
    let objective = solution.objective;
    ScheduleStats {
        objective,
        upper_bound: solution.upper_bound,
        ratio: if solution.upper_bound > 0.0 {
            objective as f64 / solution.upper_bound
        } else {
            1.0
        },
        wishes_by_priority: by_priority
            .into_iter()
            .map(|(priority, (wished, met))| WishTally { priority, wished, met })
            .collect(),
        participants: built.participants.len() as u32,
        participants_asking: per_asking.len() as u32,
        participants_met: count.len() as u32,
        asking_met: per_asking.iter().filter(|n| **n > 0).count() as u32,
        meetings_per_participant: spread,
        tables_used: built
            .slots
            .iter()
            .map(|(id, starts_at, tables)| SlotUse {
                slot_id: *id,
                starts_at: *starts_at,
                used: used.get(id).copied().unwrap_or(0),
                tables: *tables,
            })
            .collect(),
        meetings: meetings.len() as u32,
        open_to_any_meetings: open_to_any,
        kept: solution.stats.kept,
        dropped_kept: solution.stats.dropped_kept,
        buyer_table_changes: solution.stats.buyer_table_changes,
        millis: solution.stats.millis,
    }
}

/// Runs the scheduler for `event_id` and stores the result as the event's one draft, replacing
/// the previous one. A second run while one is under way is a conflict.
pub async fn run(store: &Store, event_id: Uuid, actor: &Actor) -> Result<Draft, Error> {
    run_filling(store, event_id, actor, false).await
}

/// [`run`], then, with `fill_idle`, pairs who both would meet anyone (`open_to_any`) added
/// where a slot leaves both idle, every wished meeting fixed: the wish figures do not change,
/// they score 0, and `stats.open_to_any_meetings` counts them.
pub async fn run_filling(store: &Store, event_id: Uuid, actor: &Actor, fill_idle: bool) -> Result<Draft, Error> {
    let timezone = crate::events::get_editable(store, event_id, actor)
        .await?
        .fields
        .timezone;
    let token = claim_run(store, event_id).await?;
    let outcome = async {
        let built = build_instance(store, event_id).await?;
        let open = if fill_idle {
            Some(crate::open_to_any::open_room(store, event_id, &built.instance, &HashSet::new()).await?)
        } else {
            None
        };
        let result = tokio::task::spawn_blocking(move || solve(&built, open.as_ref()))
            .await
            .map_err(|e| Error::internal(format!("the scheduler stopped: {e}")))??;
        let draft_id = Uuid::now_v7();
        let created_at = store_draft(store, event_id, token, draft_id, &result).await?;
        Ok::<_, Error>((draft_id, created_at, result))
    }
    .await;
    let (draft_id, created_at, result) = match outcome {
        Ok(done) => done,
        Err(e) => {
            if let Err(release) = release_run(store, event_id, token).await {
                tracing::error!(error = %release, "a failed schedule run could not release its claim");
            }
            return Err(e);
        }
    };
    resolve(store, event_id, timezone, draft_id, created_at, None, result).await
}

async fn resolve(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    timezone: Tz,
    draft_id: Uuid,
    created_at: DateTime<Utc>,
    published_at: Option<DateTime<Utc>>,
    result: DraftResult,
) -> Result<Draft, Error> {
    let people: HashSet<Uuid> = result
        .meetings
        .iter()
        .flat_map(|m| [m.buyer_registration_id, m.supplier_registration_id])
        .collect();
    let roster = Roster::load(db, event_id, Some(&people)).await?;
    let mut meetings = result
        .meetings
        .iter()
        .map(|m| {
            roster.view(
                m.id,
                m.slot_id,
                m.table,
                m.buyer_registration_id,
                m.supplier_registration_id,
                (m.published || published_at.is_some()).then_some(MeetingStatus::Scheduled),
                0,
                m.score,
                created_at,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    crate::meetings::in_time_order(&mut meetings);
    Ok(Draft {
        id: draft_id,
        event_id,
        created_at,
        published_at,
        meetings,
        stats: result.stats,
        timezone,
    })
}

/// The event's current draft, for its organisers; not found when none was computed.
pub async fn draft(db: &impl ConnectionTrait, event_id: Uuid, actor: &Actor) -> Result<Draft, Error> {
    let timezone = crate::events::get_editable(db, event_id, actor).await?.fields.timezone;
    let row = schedule_draft::Entity::find_by_id(event_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let (Some(id), Some(result), Some(created_at)) = (row.draft_id, row.result, row.created_at) else {
        return Err(Error::NotFound);
    };
    let result: DraftResult = serde_json::from_value(result).map_err(|_| corrupt("draft schedule"))?;
    resolve(db, event_id, timezone, id, created_at, row.published_at, result).await
}
