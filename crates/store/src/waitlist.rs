//! The waiting list of each event and category: one row (`waitlist_queues`) that counts the
//! tickets given and the registrations waiting. A new waitlisted registration takes its ticket
//! and its place under that row's lock, in the statement that writes it (`sql::REGISTER_*`),
//! so places told are distinct and promotion goes by ticket, the order told. Places read later
//! are counted by ticket at read time, so they stay gapless as people ahead leave.

use std::collections::HashMap;

use matinale_domain::event::Category;
use matinale_domain::registration::RegistrationStatus;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entity::text::Text;
use crate::entity::{registration, waitlist_queue};
use crate::error::Error;

/// Takes one registration of `category` off the waiting list of `event_id`: it was promoted or
/// cancelled. Every change of status from waitlisted goes through here, so that `waiting`
/// stays the number of waitlisted registrations. (A new waitlisted registration is counted by
/// the statement that writes it, `sql::REGISTER_*`.)
pub(crate) async fn leave(db: &impl ConnectionTrait, event_id: Uuid, category: Category) -> Result<(), Error> {
    use waitlist_queue::Column;
    waitlist_queue::Entity::update_many()
        .col_expr(Column::Waiting, Expr::col(Column::Waiting).sub(1))
        .filter(Column::EventId.eq(event_id))
        .filter(Column::Category.eq(Text(category)))
        .exec(db)
        .await?;
    Ok(())
}

/// The 1-based place of a waitlisted registration among the waitlisted of its event and
/// category: those with a lower ticket, at read time.
pub(crate) async fn position(db: &impl ConnectionTrait, m: &registration::Model) -> Result<Option<u32>, Error> {
    if m.status != RegistrationStatus::Waitlisted {
        return Ok(None);
    }
    let ahead = registration::Entity::find()
        .filter(registration::Column::EventId.eq(m.event_id))
        .filter(registration::Column::Category.eq(m.category))
        .filter(registration::Column::Status.eq(Text(RegistrationStatus::Waitlisted)))
        .filter(registration::Column::WaitlistTicket.lt(m.waitlist_ticket))
        .count(db)
        .await?;
    Ok(Some(ahead as u32 + 1))
}

/// The places of every waitlisted registration of an event, in one query: by ticket within
/// each category.
pub(crate) async fn positions(db: &impl ConnectionTrait, event_id: Uuid) -> Result<HashMap<Uuid, u32>, Error> {
    let waitlisted: Vec<(Uuid, Text<Category>)> = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Status.eq(Text(RegistrationStatus::Waitlisted)))
        .order_by_asc(registration::Column::WaitlistTicket)
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
