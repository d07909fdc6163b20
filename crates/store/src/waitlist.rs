//! The waiting list: a registration's place (counted at read time, so places are always
//! gapless) and the tally of how many wait per event and category, which a new registration
//! reads for its place instead of counting everyone ahead of it.

use std::collections::HashMap;

use matinale_domain::event::Category;
use matinale_domain::registration::RegistrationStatus;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entity::text::Text;
use crate::entity::{registration, waitlist_tally};
use crate::error::Error;

/// Rows each event and category's waiting-list tally is split over, so that concurrent
/// registrants do not all update one row.
const TALLY_SHARDS: u128 = 16;

/// The tally row a registration counts in, always the same one (so no row goes below zero).
pub(crate) fn tally_shard(registration_id: Uuid) -> i32 {
    (registration_id.as_u128() % TALLY_SHARDS) as i32
}

/// Takes one registration of `category` off the waiting-list tally of `event_id`: it was
/// promoted or cancelled. Every change of status from waitlisted goes through here, so that the
/// tally stays the number of waitlisted registrations. (A new waitlisted registration is
/// counted by the statement that writes it, `sql::REGISTER_*`.)
pub(crate) async fn untally(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    category: Category,
    registration_id: Uuid,
) -> Result<(), Error> {
    use waitlist_tally::Column;
    let add_up = Expr::col((waitlist_tally::Entity, Column::Waitlisted))
        .add(Expr::col((Alias::new("excluded"), Column::Waitlisted)));
    waitlist_tally::Entity::insert(waitlist_tally::ActiveModel {
        event_id: Set(event_id),
        category: Set(Text(category)),
        shard: Set(tally_shard(registration_id)),
        waitlisted: Set(-1),
    })
    .on_conflict(
        OnConflict::columns([Column::EventId, Column::Category, Column::Shard])
            .value(Column::Waitlisted, add_up)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The 1-based place of a waitlisted registration among the waitlisted of its event and
/// category, from the queue order at read time.
pub(crate) async fn position(db: &impl ConnectionTrait, m: &registration::Model) -> Result<Option<u32>, Error> {
    if m.status != RegistrationStatus::Waitlisted {
        return Ok(None);
    }
    let ahead = registration::Entity::find()
        .filter(registration::Column::EventId.eq(m.event_id))
        .filter(registration::Column::Category.eq(m.category))
        .filter(registration::Column::Status.eq(Text(RegistrationStatus::Waitlisted)))
        .filter(
            Condition::any()
                .add(registration::Column::QueueOrder.lt(m.queue_order))
                .add(
                    Condition::all()
                        .add(registration::Column::QueueOrder.eq(m.queue_order))
                        .add(registration::Column::Id.lt(m.id)),
                ),
        )
        .count(db)
        .await?;
    Ok(Some(ahead as u32 + 1))
}

/// The places of every waitlisted registration of an event, in one query.
pub(crate) async fn positions(db: &impl ConnectionTrait, event_id: Uuid) -> Result<HashMap<Uuid, u32>, Error> {
    let waitlisted: Vec<(Uuid, Text<Category>)> = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Status.eq(Text(RegistrationStatus::Waitlisted)))
        .order_by_asc(registration::Column::QueueOrder)
        .order_by_asc(registration::Column::Id)
        .select_only()
        .column(registration::Column::Id)
        .column(registration::Column::Category)
        .into_tuple()
        .all(db)
        .await?;
    let mut positions = HashMap::new();
    let mut counts = HashMap::<Category, u32>::new();
    for (id, category) in waitlisted {
        let n = counts.entry(category.get()).or_default();
        *n += 1;
        positions.insert(id, *n);
    }
    Ok(positions)
}
