//! The organisers' view of the outbox: the mails of the events they organise (every mail for an
//! admin). Apart from `outbox`, which `events` depends on through registrations, because it
//! reads events.

use matinale_domain::mail::MailStatus;
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::user::Actor;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entity::outbox;
use crate::entity::text::Text;
use crate::error::Error;
use crate::outbox::Mail;
use crate::paging::page_of;

/// Filters of the organisers' view of the outbox; combined with AND.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutboxFilter {
    /// Only rows in this state.
    pub status: Option<MailStatus>,
    /// Only rows about this event.
    pub event: Option<Uuid>,
}

/// The outbox as `actor` may see it, newest first: everything for an admin, the rows of the
/// events they organise (creator or co-organiser) for an organiser.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: OutboxFilter,
    page: PageRequest,
) -> Result<Page<Mail>, Error> {
    if !actor.may_organise() {
        return Err(Error::Forbidden);
    }
    let mut cond = Condition::all();
    if let Some(event_id) = filter.event {
        let unknown = || matinale_domain::Error::field("event", "unknown", "no event you organise has this id");
        let event = crate::events::get(db, event_id).await.map_err(|e| match e {
            Error::NotFound => unknown().into(),
            other => other,
        })?;
        match event.access(Some(actor)) {
            matinale_domain::event::Access::Edit => {}
            matinale_domain::event::Access::Read => return Err(Error::Forbidden),
            matinale_domain::event::Access::Hidden => return Err(unknown().into()),
        }
        cond = cond.add(outbox::Column::EventId.eq(event_id));
    } else if !actor.is_admin() {
        cond = cond.add(crate::events::organised_by(outbox::Column::EventId, actor));
    }
    if let Some(status) = filter.status {
        cond = cond.add(outbox::Column::Status.eq(Text(status)));
    }
    let query = outbox::Entity::find()
        .filter(cond)
        .order_by_desc(outbox::Column::CreatedAt)
        .order_by_desc(outbox::Column::Id);
    page_of(db, query, page).await?.try_map(Mail::try_from)
}
