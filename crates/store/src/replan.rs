//! Re-planning the rest of a meeting block on the day, from who actually came: meetings whose
//! two sides are there stay exactly as they are, those with an absent side are cancelled, and
//! the scheduler fills the freed places among the people there, wished pairs first (kept
//! meetings fixed), then pairs of people there who would meet anyone (`open_to_any`) where
//! both would otherwise sit idle; published at once in one transaction, every person whose agenda changed
//! told through the outbox. One re-plan (or draft run) at a time per event, across processes:
//! it holds the event's schedule claim (`schedule::claim_run`).

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, Utc};
use matinale_domain::mail::MailKind;
use matinale_domain::meeting::MeetingStatus;
use matinale_domain::presence::{keeps_meeting, Attendance};
use matinale_domain::registration::RegistrationStatus;
use matinale_domain::user::Actor;
use matinale_scheduler::{self as scheduler, Instance, KeptMeeting};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::database::Store;
use crate::entity::text::Text;
use crate::entity::{meeting, meeting_slot, registration};
use crate::error::{corrupt, Error};
use crate::outbox::{self, MailDetails, NewMail};

/// `cancel_reason` of the meetings a re-plan cancelled.
pub const SIDE_ABSENT: &str = "a participant is not there; the rest of the block was re-planned";

/// What a re-plan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replanned {
    /// The first slot re-planned.
    pub from_slot_id: Uuid,
    /// Published meetings from that slot on kept as they were.
    pub kept: Vec<Uuid>,
    /// Published meetings from that slot on cancelled (a side is absent).
    pub cancelled: Vec<Uuid>,
    /// Meetings added and published.
    pub added: Vec<Uuid>,
    /// Of those, meetings of two people who would meet anyone (`open_to_any`), seated where
    /// both were idle once the wished pairs were placed.
    pub open_to_any_meetings: u64,
    /// People mailed.
    pub notified: u64,
    /// From the request to the answer, mails queued.
    pub millis: u64,
}

/// The plan, before it is written.
struct Plan {
    kept: Vec<Uuid>,
    cancelled: Vec<meeting::Model>,
    added: Vec<scheduler::Meeting>,
    /// How many of `added` are pairs open to anyone.
    open_to_any: u64,
}

/// Re-plans the slots of `event_id` from `from_slot_id` on (default: the next slot to start,
/// by the store's clock), for an organiser of the event.
pub async fn replan(
    store: &Store,
    event_id: Uuid,
    actor: &Actor,
    from_slot_id: Option<Uuid>,
) -> Result<Replanned, Error> {
    let started = Instant::now();
    crate::events::get_editable(store, event_id, actor).await?;
    let slots = meeting_slot::Entity::find()
        .filter(meeting_slot::Column::EventId.eq(event_id))
        .order_by_asc(meeting_slot::Column::StartsAt)
        .order_by_asc(meeting_slot::Column::Id)
        .all(store)
        .await?;
    let first = match from_slot_id {
        Some(id) => slots.iter().position(|s| s.id == id).ok_or_else(|| {
            matinale_domain::Error::field("from_slot_id", "unknown", "not a meeting slot of this event")
        })?,
        None => {
            let now = store.now();
            slots.iter().position(|s| s.starts_at > now).ok_or_else(|| {
                Error::Conflict("no meeting slot of this event is still to start: there is nothing to re-plan".into())
            })?
        }
    };
    let token = crate::schedule::claim_run(store, event_id).await?;
    let outcome = run(store, event_id, &slots, first).await;
    if let Err(e) = crate::schedule::release_run(store, event_id, token).await {
        tracing::error!(error = %e, "a re-plan could not release its claim");
    }
    let (plan, added, notified) = outcome?;
    Ok(Replanned {
        from_slot_id: slots[first].id,
        kept: plan.kept,
        cancelled: plan.cancelled.iter().map(|m| m.id).collect(),
        added,
        open_to_any_meetings: plan.open_to_any,
        notified,
        millis: started.elapsed().as_millis() as u64,
    })
}

async fn run(
    store: &Store,
    event_id: Uuid,
    slots: &[meeting_slot::Model],
    first: usize,
) -> Result<(Plan, Vec<Uuid>, u64), Error> {
    let slot_ids: Vec<Uuid> = slots.iter().map(|s| s.id).collect();
    let attendance = crate::presence::attendances(store, event_id, &slot_ids).await?;
    let built = crate::schedule::build_instance(store, event_id).await?;
    let live = meeting::Entity::find()
        .filter(meeting::Column::EventId.eq(event_id))
        .filter(meeting::Column::Status.ne(Text(MeetingStatus::Cancelled)))
        .order_by_asc(meeting::Column::Id)
        .all(store)
        .await?;
    let (instance, plan, met) = remaining_problem(built.instance, &slot_ids, first, &attendance, &live)?;
    let open = crate::open_to_any::open_room(store, event_id, &instance, &met).await?;
    // Wished pairs first; then, with all of those fixed, pairs open to anyone in what is idle.
    let (solution, open_to_any) = tokio::task::spawn_blocking(move || {
        let mut solution = scheduler::schedule(&instance)?;
        let extra = crate::open_to_any::fill_idle(&instance, &solution.meetings, &open)?;
        let open_to_any = extra.len() as u64;
        solution.meetings.extend(extra);
        Ok::<_, scheduler::InstanceError>((solution, open_to_any))
    })
    .await
    .map_err(|e| Error::internal(format!("the scheduler stopped: {e}")))?
    .map_err(|e| Error::Conflict(format!("the rest of the block cannot be re-planned: {e}")))?;
    let kept_keys: HashSet<(String, String, String, u32)> = live
        .iter()
        .map(|m| {
            (
                m.buyer_registration_id.to_string(),
                m.supplier_registration_id.to_string(),
                m.slot_id.to_string(),
                u32::try_from(m.table_no).unwrap_or(0),
            )
        })
        .collect();
    let added: Vec<scheduler::Meeting> = solution
        .meetings
        .into_iter()
        .filter(|m| !kept_keys.contains(&(m.buyer.clone(), m.supplier.clone(), m.slot.clone(), m.table)))
        .collect();
    let plan = Plan {
        added,
        open_to_any,
        ..plan
    };
    let (ids, notified) = publish(store, event_id, &plan).await?;
    Ok((plan, ids, notified))
}

/// Pairs of participants (buyer, supplier) by their scheduler ids.
type Pairs = HashSet<(String, String)>;

/// The scheduler's problem for the slots from `first` on: the people there (their slots cut
/// to their arrival and leaving, their caps less the meetings they had), the wishes of pairs
/// that have not met yet, and the meetings kept fixed; and which published meetings are kept
/// or cancelled, and the pairs that met or keep a meeting.
fn remaining_problem(
    mut instance: Instance,
    slot_ids: &[Uuid],
    first: usize,
    attendance: &HashMap<Uuid, Attendance>,
    live: &[meeting::Model],
) -> Result<(Instance, Plan, Pairs), Error> {
    let index: HashMap<Uuid, usize> = slot_ids.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let remaining: Vec<String> = slot_ids[first..].iter().map(Uuid::to_string).collect();
    let absent = Attendance::default();
    let of = |id: &Uuid| attendance.get(id).unwrap_or(&absent);
    let taking_part: HashSet<String> = instance.participants.iter().map(|p| p.id.clone()).collect();

    let mut kept = Vec::new();
    let mut kept_list = Vec::new();
    let mut cancelled = Vec::new();
    let mut past_meetings: HashMap<String, u32> = HashMap::new();
    let mut future_kept: HashMap<String, u32> = HashMap::new();
    let mut met: HashSet<(String, String)> = HashSet::new();
    for m in live {
        let slot = *index.get(&m.slot_id).ok_or_else(|| corrupt("meeting slot"))?;
        let (buyer, supplier) = (
            m.buyer_registration_id.to_string(),
            m.supplier_registration_id.to_string(),
        );
        if slot < first {
            *past_meetings.entry(buyer.clone()).or_default() += 1;
            *past_meetings.entry(supplier.clone()).or_default() += 1;
            met.insert((buyer, supplier));
            continue;
        }
        let there = keeps_meeting(
            slot,
            first,
            of(&m.buyer_registration_id),
            of(&m.supplier_registration_id),
        ) && taking_part.contains(&buyer)
            && taking_part.contains(&supplier);
        if there || m.status != MeetingStatus::Scheduled {
            *future_kept.entry(buyer.clone()).or_default() += 1;
            *future_kept.entry(supplier.clone()).or_default() += 1;
            met.insert((buyer.clone(), supplier.clone()));
            kept.push(m.id);
            kept_list.push(KeptMeeting {
                buyer,
                supplier,
                slot: m.slot_id.to_string(),
                table: u32::try_from(m.table_no).map_err(|_| corrupt("table"))?,
            });
        } else {
            cancelled.push(m.clone());
        }
    }

    instance.slots.retain(|s| remaining.contains(&s.id));
    let mut participants = Vec::with_capacity(instance.participants.len());
    for mut p in std::mem::take(&mut instance.participants) {
        let id = Uuid::parse_str(&p.id).map_err(|_| corrupt("scheduler id"))?;
        let a = of(&id);
        let available: Vec<String> = (first..slot_ids.len())
            .filter(|&s| a.is_there_for(s, first))
            .map(|s| slot_ids[s].to_string())
            .filter(|s| p.available.as_ref().is_none_or(|list| list.contains(s)))
            .collect();
        let kept_here = future_kept.get(&p.id).copied().unwrap_or(0);
        if available.is_empty() && kept_here == 0 {
            continue;
        }
        p.available = Some(available);
        if let Some(max) = p.max_meetings {
            let past = past_meetings.get(&p.id).copied().unwrap_or(0);
            p.max_meetings = Some(Ord::max(max.saturating_sub(past), kept_here));
        }
        participants.push(p);
    }
    // A kept meeting's sides stay, even when its slot is no longer in their window.
    let present: HashSet<String> = participants.iter().map(|p| p.id.clone()).collect();
    for k in &kept_list {
        for id in [&k.buyer, &k.supplier] {
            if let Some(p) = participants.iter_mut().find(|p| &p.id == id) {
                if let Some(list) = p.available.as_mut() {
                    if !list.contains(&k.slot) {
                        list.push(k.slot.clone());
                    }
                }
            }
        }
    }
    instance.participants = participants;
    instance.wishes.retain(|w| {
        present.contains(&w.from)
            && present.contains(&w.to)
            && !met.contains(&(w.from.clone(), w.to.clone()))
            && !met.contains(&(w.to.clone(), w.from.clone()))
    });
    instance.kept = kept_list;
    Ok((
        instance,
        Plan {
            kept,
            cancelled,
            added: Vec::new(),
            open_to_any: 0,
        },
        met,
    ))
}

/// Writes the plan in one transaction: cancellations (each `sequence` up by one), the new
/// meetings, and the mails — a `METHOD:CANCEL` to both sides of each cancelled meeting, the
/// agenda (`METHOD:REQUEST`s) to each person who gains a meeting. Returns the new ids and how
/// many people are mailed.
async fn publish(store: &Store, event_id: Uuid, plan: &Plan) -> Result<(Vec<Uuid>, u64), Error> {
    let mut rows = Vec::with_capacity(plan.added.len());
    for m in &plan.added {
        let id = |s: &str| Uuid::parse_str(s).map_err(|_| corrupt("scheduler id"));
        rows.push((
            Uuid::now_v7(),
            id(&m.slot)?,
            m.table,
            id(&m.buyer)?,
            id(&m.supplier)?,
            m.score,
        ));
    }
    let rows = &rows;
    store
        .write(|txn| {
            Box::pin(async move {
                let now: DateTime<Utc> = txn.now();
                for chunk in plan.cancelled.chunks(500) {
                    let written = meeting::Entity::update_many()
                        .col_expr(meeting::Column::Status, Expr::val(MeetingStatus::Cancelled.as_str()))
                        .col_expr(meeting::Column::Sequence, Expr::col(meeting::Column::Sequence).add(1))
                        .col_expr(meeting::Column::CancelReason, Expr::val(SIDE_ABSENT))
                        .col_expr(meeting::Column::UpdatedAt, Expr::val(now))
                        .filter(meeting::Column::Id.is_in(chunk.iter().map(|m| m.id).collect::<Vec<_>>()))
                        .filter(meeting::Column::Status.eq(Text(MeetingStatus::Scheduled)))
                        .exec(txn)
                        .await?;
                    if written.rows_affected != chunk.len() as u64 {
                        return Err(changed_meanwhile());
                    }
                }
                let models: Vec<meeting::ActiveModel> = rows
                    .iter()
                    .map(|&(id, slot, table, buyer, supplier, score)| meeting::ActiveModel {
                        id: Set(id),
                        event_id: Set(event_id),
                        slot_id: Set(slot),
                        table_no: Set(i32::try_from(table).unwrap_or(i32::MAX)),
                        buyer_registration_id: Set(buyer),
                        supplier_registration_id: Set(supplier),
                        status: Set(Text(MeetingStatus::Scheduled)),
                        sequence: Set(0),
                        score: Set(i32::try_from(score).unwrap_or(i32::MAX)),
                        cancel_reason: Set(None),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    })
                    .collect();
                for chunk in models.chunks(500) {
                    meeting::Entity::insert_many(chunk.to_vec())
                        .exec_without_returning(txn)
                        .await
                        .map_err(|e| match Error::from(e) {
                            Error::Conflict(_) => changed_meanwhile(),
                            other => other,
                        })?;
                }
                let gaining: HashSet<Uuid> = rows.iter().flat_map(|r| [r.3, r.4]).collect();
                let losing: HashSet<Uuid> = plan
                    .cancelled
                    .iter()
                    .flat_map(|m| [m.buyer_registration_id, m.supplier_registration_id])
                    .collect();
                let everyone: Vec<Uuid> = gaining.union(&losing).copied().collect();
                let people: HashMap<Uuid, registration::Model> = registration::Entity::find()
                    .filter(registration::Column::Id.is_in(everyone))
                    .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled.as_str()))
                    .all(txn)
                    .await?
                    .into_iter()
                    .map(|r| (r.id, r))
                    .collect();
                let mut mails = Vec::new();
                for m in &plan.cancelled {
                    for side in [m.buyer_registration_id, m.supplier_registration_id] {
                        if let Some(r) = people.get(&side) {
                            mails.push(NewMail::to_registration(
                                r,
                                MailKind::MeetingCancelled,
                                MailDetails::meeting(m.id),
                            ));
                        }
                    }
                }
                let mut gaining: Vec<Uuid> = gaining.into_iter().collect();
                gaining.sort_unstable();
                for id in &gaining {
                    if let Some(r) = people.get(id) {
                        mails.push(NewMail::to_registration(
                            r,
                            MailKind::AgendaPublished,
                            MailDetails::default(),
                        ));
                    }
                }
                outbox::enqueue_many(txn, mails).await?;
                Ok((rows.iter().map(|r| r.0).collect(), people.len() as u64))
            })
        })
        .await
}

fn changed_meanwhile() -> Error {
    Error::Conflict("the timetable changed while the block was re-planned: run the re-plan again".into())
}
