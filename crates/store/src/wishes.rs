//! Wishes to meet at an event: the ones people make (`wishes`), the ones their expressions of
//! interest on buyers' needs imply, and the pairs one side declined (`wish_declines`).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use matinale_domain::event::Category;
use matinale_domain::meeting::WishPriority;
use matinale_domain::registration::RegistrationStatus;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entity::{need, need_interest, registration, wish, wish_decline};
use crate::error::Error;

/// Where a wish comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WishSource {
    /// Made with `POST /events/{id}/wishes`.
    Direct,
    /// Implied by an expression of interest on a buyer's need.
    Interest,
}

/// A wish of one registration to meet another, whatever its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventWish {
    /// The wish's id, or the interest's for one implied by an interest.
    pub id: Uuid,
    /// Who wishes.
    pub from_registration_id: Uuid,
    /// Whom.
    pub to_registration_id: Uuid,
    /// How much.
    pub priority: WishPriority,
    /// Made, or implied by an interest.
    pub source: WishSource,
    /// The need of the interest, for an implied wish.
    pub need_id: Option<Uuid>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// The live registrations of `event_id` in `category`, by organisation, earliest first: an
/// interest recorded for an organisation stands for its first registration at the event.
async fn first_registration_by_organisation(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    category: Category,
) -> Result<HashMap<Uuid, Uuid>, Error> {
    let rows: Vec<(Uuid, Option<Uuid>)> = registration::Entity::find()
        .select_only()
        .column(registration::Column::Id)
        .column(registration::Column::OrganisationId)
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Category.eq(category.as_str()))
        .filter(registration::Column::Status.is_not_in([
            RegistrationStatus::Cancelled.as_str(),
            RegistrationStatus::Waitlisted.as_str(),
        ]))
        .order_by_asc(registration::Column::CreatedAt)
        .order_by_asc(registration::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut first = HashMap::new();
    for (id, organisation) in rows {
        if let Some(organisation) = organisation {
            first.entry(organisation).or_insert(id);
        }
    }
    Ok(first)
}

/// An expression of interest on a need of the event, with the buyer it is for.
struct Interest {
    id: Uuid,
    need_id: Uuid,
    from_organisation_id: Uuid,
    from_registration_id: Option<Uuid>,
    to_organisation_id: Uuid,
    created_at: DateTime<Utc>,
}

async fn interests_of_event(db: &impl ConnectionTrait, event_id: Uuid) -> Result<Vec<Interest>, Error> {
    let buyers: HashMap<Uuid, Uuid> = need::Entity::find()
        .select_only()
        .column(need::Column::Id)
        .column(need::Column::OrganisationId)
        .filter(need::Column::EventId.eq(event_id))
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    if buyers.is_empty() {
        return Ok(Vec::new());
    }
    Ok(need_interest::Entity::find()
        .filter(need_interest::Column::NeedId.is_in(buyers.keys().copied().collect::<Vec<_>>()))
        .order_by_asc(need_interest::Column::CreatedAt)
        .order_by_asc(need_interest::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|i| {
            Some(Interest {
                id: i.id,
                need_id: i.need_id,
                from_organisation_id: i.organisation_id,
                from_registration_id: i.registration_id,
                to_organisation_id: *buyers.get(&i.need_id)?,
                created_at: i.created_at,
            })
        })
        .collect())
}

/// Every wish of `event_id`: the ones made, then the ones implied by interests (each a
/// priority-2 wish from the ESS structure's registration to the first registration of the
/// buyer's organisation; an interest whose sides have no live registration implies none).
pub async fn event_wishes(db: &impl ConnectionTrait, event_id: Uuid) -> Result<Vec<EventWish>, Error> {
    let mut all: Vec<EventWish> = wish::Entity::find()
        .filter(wish::Column::EventId.eq(event_id))
        .order_by_asc(wish::Column::CreatedAt)
        .order_by_asc(wish::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|w| {
            Some(EventWish {
                id: w.id,
                from_registration_id: w.from_registration_id,
                to_registration_id: w.to_registration_id,
                priority: WishPriority::parse(i64::from(w.priority)).ok()?,
                source: WishSource::Direct,
                need_id: None,
                created_at: w.created_at,
            })
        })
        .collect();
    let interests = interests_of_event(db, event_id).await?;
    if interests.is_empty() {
        return Ok(all);
    }
    let buyers = first_registration_by_organisation(db, event_id, Category::Buyer).await?;
    let structures = first_registration_by_organisation(db, event_id, Category::EssStructure).await?;
    for interest in interests {
        let from = interest
            .from_registration_id
            .or_else(|| structures.get(&interest.from_organisation_id).copied());
        let to = buyers.get(&interest.to_organisation_id).copied();
        if let (Some(from), Some(to)) = (from, to) {
            all.push(EventWish {
                id: interest.id,
                from_registration_id: from,
                to_registration_id: to,
                priority: WishPriority::INTEREST,
                source: WishSource::Interest,
                need_id: Some(interest.need_id),
                created_at: interest.created_at,
            });
        }
    }
    Ok(all)
}

/// The pairs (buyer, supplier) of `event_id` that one side declined.
pub async fn declined_pairs(db: &impl ConnectionTrait, event_id: Uuid) -> Result<HashSet<(Uuid, Uuid)>, Error> {
    Ok(wish_decline::Entity::find()
        .select_only()
        .column(wish_decline::Column::BuyerRegistrationId)
        .column(wish_decline::Column::SupplierRegistrationId)
        .filter(wish_decline::Column::EventId.eq(event_id))
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}
