//! Blocks of speed meetings and their slots: created, listed and deleted by the event's
//! organisers. A block's slots are written with it; deleting a block deletes its slots and
//! drops the event's draft schedule, which may name them. Once meetings are published in a
//! block it stays.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use matinale_domain::meeting::MeetingBlockDraft;
use matinale_domain::meeting::{local_time, MeetingBlock, MeetingSlot};
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::user::Actor;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::database::Store;
use crate::entity::{event, meeting, meeting_block, meeting_slot, schedule_draft};
use crate::error::{corrupt, Error};
use crate::paging::page_of;

fn to_block(m: meeting_block::Model, slots: Vec<MeetingSlot>, timezone: Tz) -> Result<MeetingBlock, Error> {
    let count = |v: i32| u32::try_from(v).map_err(|_| corrupt("meeting block"));
    let table_labels = match m.table_labels {
        None | Some(serde_json::Value::Null) => None,
        Some(labels) => Some(serde_json::from_value(labels).map_err(|_| corrupt("table labels"))?),
    };
    Ok(MeetingBlock {
        id: m.id,
        event_id: m.event_id,
        starts_at: local_time(m.starts_at, timezone),
        ends_at: local_time(m.ends_at, timezone),
        slot_minutes: count(m.slot_minutes)?,
        break_minutes: count(m.break_minutes)?,
        tables: count(m.tables)?,
        table_labels,
        slots,
    })
}

/// Adds a block of speed meetings to an event, for its organisers, with its slots, in one
/// transaction. The block lies inside the event and overlaps none of its other blocks.
pub async fn create(
    store: &Store,
    event_id: Uuid,
    actor: &Actor,
    draft: MeetingBlockDraft,
) -> Result<MeetingBlock, Error> {
    let draft = &draft;
    store
        .write(|txn| {
            Box::pin(async move {
                if txn.get_database_backend() == DbBackend::Postgres {
                    // Two blocks added at once must not both miss the other when checking overlaps.
                    event::Entity::find_by_id(event_id).lock_exclusive().one(txn).await?;
                }
                let event = crate::events::get_editable(txn, event_id, actor).await?;
                let others: Vec<(DateTime<Utc>, DateTime<Utc>)> = meeting_block::Entity::find()
                    .select_only()
                    .column(meeting_block::Column::StartsAt)
                    .column(meeting_block::Column::EndsAt)
                    .filter(meeting_block::Column::EventId.eq(event_id))
                    .into_tuple()
                    .all(txn)
                    .await?;
                let block = MeetingBlock::parse(
                    draft.clone(),
                    event_id,
                    event.fields.timezone,
                    event.fields.starts_at,
                    event.fields.ends_at,
                    &others,
                )?;
                let id = block.id;
                let labels = block
                    .table_labels
                    .as_ref()
                    .map(|l| serde_json::to_value(l).map_err(|_| corrupt("table labels")))
                    .transpose()?;
                let model = meeting_block::ActiveModel {
                    id: Set(id),
                    event_id: Set(event_id),
                    starts_at: Set(block.starts_at.with_timezone(&Utc)),
                    ends_at: Set(block.ends_at.with_timezone(&Utc)),
                    slot_minutes: Set(block.slot_minutes as i32),
                    break_minutes: Set(block.break_minutes as i32),
                    tables: Set(block.tables as i32),
                    table_labels: Set(labels),
                    created_at: Set(txn.now()),
                };
                meeting_block::Entity::insert(model).exec_without_returning(txn).await?;
                let slots = &block.slots;
                // A long block of short slots has a few hundred rows: in chunks, under SQLite's and
                // PostgreSQL's limits on bound parameters.
                for (chunk_no, chunk) in slots.chunks(500).enumerate() {
                    let rows = chunk.iter().enumerate().map(|(i, s)| meeting_slot::ActiveModel {
                        id: Set(s.id),
                        block_id: Set(id),
                        event_id: Set(event_id),
                        position: Set((chunk_no * 500 + i) as i32),
                        starts_at: Set(s.starts_at.with_timezone(&Utc)),
                        ends_at: Set(s.ends_at.with_timezone(&Utc)),
                    });
                    meeting_slot::Entity::insert_many(rows)
                        .exec_without_returning(txn)
                        .await?;
                }
                let created = get(txn, id, event.fields.timezone).await?;
                Ok(created)
            })
        })
        .await
}

/// One block with its slots.
async fn get(db: &impl ConnectionTrait, id: Uuid, timezone: Tz) -> Result<MeetingBlock, Error> {
    let m = meeting_block::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let slots = slots_of(db, &[id], timezone)
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    to_block(m, slots, timezone)
}

/// The slots of `blocks`, each with its block, in time order.
async fn slots_of(db: &impl ConnectionTrait, blocks: &[Uuid], timezone: Tz) -> Result<Vec<(Uuid, MeetingSlot)>, Error> {
    if blocks.is_empty() {
        return Ok(Vec::new());
    }
    Ok(meeting_slot::Entity::find()
        .filter(meeting_slot::Column::BlockId.is_in(blocks.iter().copied()))
        .order_by_asc(meeting_slot::Column::StartsAt)
        .order_by_asc(meeting_slot::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|s| {
            (
                s.block_id,
                MeetingSlot {
                    id: s.id,
                    starts_at: local_time(s.starts_at, timezone),
                    ends_at: local_time(s.ends_at, timezone),
                },
            )
        })
        .collect())
}

/// The blocks of an event in time order, with their slots, for its organisers.
pub async fn list(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<MeetingBlock>, Error> {
    let timezone = crate::events::get_editable(db, event_id, actor).await?.fields.timezone;
    let query = meeting_block::Entity::find()
        .filter(meeting_block::Column::EventId.eq(event_id))
        .order_by_asc(meeting_block::Column::StartsAt)
        .order_by_asc(meeting_block::Column::Id);
    let rows = page_of(db, query, page).await?;
    let ids: Vec<Uuid> = rows.items.iter().map(|b| b.id).collect();
    let mut slots: HashMap<Uuid, Vec<MeetingSlot>> = HashMap::new();
    for (block, slot) in slots_of(db, &ids, timezone).await? {
        slots.entry(block).or_default().push(slot);
    }
    rows.try_map(|b| {
        let mine = slots.remove(&b.id).unwrap_or_default();
        to_block(b, mine, timezone)
    })
}

/// Deletes a block and its slots, for the event's organisers, unless meetings were published
/// in it (a conflict: cancel or move them first). The event's draft schedule, which may name
/// the deleted slots, is dropped in the same transaction; preferences naming them keep them
/// (the scheduler ignores slots that no longer exist).
pub async fn delete(store: &Store, id: Uuid, actor: &Actor) -> Result<(), Error> {
    store
        .write(|txn| {
            Box::pin(async move {
                let block = meeting_block::Entity::find_by_id(id)
                    .one(txn)
                    .await?
                    .ok_or(Error::NotFound)?;
                crate::events::get_editable(txn, block.event_id, actor).await?;
                if txn.get_database_backend() == DbBackend::Postgres {
                    // Locking the slots waits for a publication that is inserting meetings in them and
                    // keeps later ones out until this transaction ends.
                    meeting_slot::Entity::find()
                        .filter(meeting_slot::Column::BlockId.eq(id))
                        .lock_exclusive()
                        .all(txn)
                        .await?;
                }
                let published = meeting::Entity::find()
                    .filter(
                        meeting::Column::SlotId.in_subquery(
                            Query::select()
                                .column(meeting_slot::Column::Id)
                                .from(meeting_slot::Entity)
                                .and_where(Expr::col(meeting_slot::Column::BlockId).eq(id))
                                .to_owned(),
                        ),
                    )
                    .count(txn)
                    .await?;
                if published > 0 {
                    return Err(Error::Conflict(format!(
                        "{published} published meetings are in this block; cancel or move them before deleting it"
                    )));
                }
                meeting_block::Entity::delete_by_id(id).exec(txn).await?;
                schedule_draft::Entity::update_many()
                    .col_expr(schedule_draft::Column::DraftId, Expr::val(Option::<Uuid>::None))
                    .col_expr(
                        schedule_draft::Column::Result,
                        Expr::val(Option::<serde_json::Value>::None),
                    )
                    .col_expr(
                        schedule_draft::Column::CreatedAt,
                        Expr::val(Option::<DateTime<Utc>>::None),
                    )
                    .col_expr(
                        schedule_draft::Column::PublishedAt,
                        Expr::val(Option::<DateTime<Utc>>::None),
                    )
                    .filter(schedule_draft::Column::EventId.eq(block.event_id))
                    .exec(txn)
                    .await?;
                Ok(())
            })
        })
        .await
}

/// The slot ids of an event's blocks.
pub async fn slot_ids(db: &impl ConnectionTrait, event_id: Uuid) -> Result<Vec<Uuid>, Error> {
    Ok(meeting_slot::Entity::find()
        .select_only()
        .column(meeting_slot::Column::Id)
        .filter(meeting_slot::Column::EventId.eq(event_id))
        .into_tuple()
        .all(db)
        .await?)
}
