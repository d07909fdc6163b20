//! What a signed-in account works on, for the console: the organisations it is a member of,
//! and the events it organises (every status) with their registrations counted.

use matinale_domain::event::{Category, Event};
use matinale_domain::organisation::OrganisationKind;
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::registration::RegistrationStatus;
use matinale_domain::user::Actor;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entity::text::Text;
use crate::entity::{event, organisation, organisation_member, registration};
use crate::error::Error;
use crate::paging::page_of;

/// An organisation the account is a member of.
#[derive(Debug, Clone)]
pub struct Membership {
    /// The organisation.
    pub organisation_id: Uuid,
    /// Its name.
    pub name: String,
    /// Its kind (a public buyer publishes needs).
    pub kind: OrganisationKind,
}

/// How many registrations of one category are in one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationCount {
    /// The category.
    pub category: Category,
    /// The status.
    pub status: RegistrationStatus,
    /// How many.
    pub count: u64,
}

/// The organisations `user_id` is a member of, by name.
pub async fn memberships(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<Membership>, Error> {
    let ids: Vec<Uuid> = organisation_member::Entity::find()
        .select_only()
        .column(organisation_member::Column::OrganisationId)
        .filter(organisation_member::Column::UserId.eq(user_id))
        .into_tuple()
        .all(db)
        .await?;
    let rows = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(ids))
        .order_by_asc(organisation::Column::Name)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|o| Membership {
            organisation_id: o.id,
            name: o.name,
            kind: o.kind.get(),
        })
        .collect())
}

/// The events `actor` organises (an admin: every event), whatever their status, the latest
/// first, each with its registrations counted by category and status.
pub async fn organised_events(
    db: &impl ConnectionTrait,
    actor: &Actor,
    page: PageRequest,
) -> Result<Page<(Event, Vec<RegistrationCount>)>, Error> {
    let cond = if actor.is_admin() {
        Condition::all()
    } else if actor.may_organise() {
        crate::events::organised_by(event::Column::Id, actor)
    } else {
        return Err(Error::Forbidden);
    };
    let query = event::Entity::find()
        .filter(cond)
        .order_by_desc(event::Column::StartsAt)
        .order_by_asc(event::Column::Id);
    let rows = page_of(db, query, page).await?;
    let ids: Vec<Uuid> = rows.items.iter().map(|e| e.id).collect();
    let counts: Vec<(Uuid, Text<Category>, Text<RegistrationStatus>, i64)> = registration::Entity::find()
        .select_only()
        .column(registration::Column::EventId)
        .column(registration::Column::Category)
        .column(registration::Column::Status)
        .column_as(Expr::col(registration::Column::Id).count(), "count")
        .filter(registration::Column::EventId.is_in(ids))
        .group_by(registration::Column::EventId)
        .group_by(registration::Column::Category)
        .group_by(registration::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut items = Vec::with_capacity(rows.items.len());
    for row in rows.items {
        let of_event = counts
            .iter()
            .filter(|(event_id, ..)| *event_id == row.id)
            .map(|(_, category, status, count)| RegistrationCount {
                category: category.0,
                status: status.0,
                count: u64::try_from(*count).unwrap_or_default(),
            })
            .collect();
        items.push((crate::events::get(db, row.id).await?, of_event));
    }
    Ok(Page {
        items,
        request: rows.request,
        total: rows.total,
    })
}
