//! Wishes to meet at an event: the ones people make (`wishes`), the ones their expressions of
//! interest on buyers' needs imply, and the pairs one side declined (`wish_declines`).
//!
//! A wish is made by its `from` registrant (manage token) or an organiser of the event, and
//! withdrawn the same way; the `to` side (or an organiser) declines it, which keeps the pair
//! out of every schedule whoever wished it and however.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SubsecRound, Utc};
use matinale_domain::event::Category;
use matinale_domain::meeting::{check_wish, Side, WishParty, WishPriority, MAX_WISHES_MADE};
use matinale_domain::registration::RegistrationStatus;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::credential::Credential;
use crate::database::Store;
use crate::entity::{need, need_interest, registration, wish, wish_decline};
use crate::error::{corrupt, Error};

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

/// The first live registration of `event_id` in `category` of each organisation, among those
/// whose organisation is confirmed (approved, a proven member's e-mail or verified domain): an interest
/// recorded for an organisation stands for it. A registration that merely names an
/// organisation speaks for itself only.
async fn first_registration_by_organisation(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    category: Category,
) -> Result<HashMap<Uuid, Uuid>, Error> {
    type Row = (Uuid, Option<Uuid>, String, Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let rows: Vec<Row> = registration::Entity::find()
        .select_only()
        .column(registration::Column::Id)
        .column(registration::Column::OrganisationId)
        .column(registration::Column::Email)
        .column(registration::Column::OrganisationConfirmedAt)
        .column(registration::Column::EmailVerifiedAt)
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Category.eq(category.as_str()))
        .filter(registration::Column::OrganisationId.is_not_null())
        .filter(registration::Column::Status.is_not_in([
            RegistrationStatus::Cancelled.as_str(),
            RegistrationStatus::Waitlisted.as_str(),
        ]))
        .order_by_asc(registration::Column::CreatedAt)
        .order_by_asc(registration::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    // Every row names an organisation (filtered above), so `claims` lines up with `rows`.
    let claims: Vec<(Uuid, &str, bool)> = rows
        .iter()
        .filter_map(|r| r.1.map(|organisation| (organisation, r.2.as_str(), r.4.is_some())))
        .collect();
    let by_evidence = crate::claims::confirmed_by_evidence(db, &claims).await?;
    let mut first = HashMap::new();
    for (((id, _, _, approved_at, _), (organisation, _, _)), evidence) in rows.iter().zip(&claims).zip(by_evidence) {
        if approved_at.is_some() || evidence {
            first.entry(*organisation).or_insert(*id);
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
        // Only the needs the event's organisers accepted are at the event.
        .filter(need::Column::EventAcceptedAt.is_not_null())
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

/// A wish as its parties and organisers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wish {
    /// The event.
    pub event_id: Uuid,
    /// The wish.
    pub wish: EventWish,
    /// One side declined the pair: it is never scheduled.
    pub declined: bool,
}

/// A wish to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewWish {
    /// Who wishes.
    pub from_registration_id: Uuid,
    /// Whom.
    pub to_registration_id: Uuid,
    /// How much.
    pub priority: WishPriority,
}

/// The wishes of one registration, each list oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationWishes {
    /// Made by it (directly or by its interests).
    pub made: Vec<Wish>,
    /// Made to it.
    pub received: Vec<Wish>,
}

/// Whether the pair `a`–`b` (either order) was declined.
async fn is_declined(db: &impl ConnectionTrait, a: Uuid, b: Uuid) -> Result<bool, Error> {
    let pair = |buyer: Uuid, supplier: Uuid| {
        Condition::all()
            .add(wish_decline::Column::BuyerRegistrationId.eq(buyer))
            .add(wish_decline::Column::SupplierRegistrationId.eq(supplier))
    };
    Ok(wish_decline::Entity::find()
        .filter(Condition::any().add(pair(a, b)).add(pair(b, a)))
        .count(db)
        .await?
        > 0)
}

fn direct(w: wish::Model) -> Result<EventWish, Error> {
    Ok(EventWish {
        id: w.id,
        from_registration_id: w.from_registration_id,
        to_registration_id: w.to_registration_id,
        priority: WishPriority::parse(i64::from(w.priority)).map_err(|_| corrupt("wish priority"))?,
        source: WishSource::Direct,
        need_id: None,
        created_at: w.created_at,
    })
}

/// What the wish rules need of registration `id`; an unknown one is invalid `field`. On
/// PostgreSQL `lock` locks its row until the transaction ends.
async fn party(db: &impl ConnectionTrait, id: Uuid, field: &str, lock: bool) -> Result<WishParty, Error> {
    let mut query = registration::Entity::find_by_id(id);
    if lock && db.get_database_backend() == DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    let m = query.one(db).await?.ok_or_else(|| {
        Error::Invalid(matinale_domain::Error::field(
            field,
            "unknown",
            "no registration has this id",
        ))
    })?;
    Ok(WishParty {
        id: m.id,
        event_id: m.event_id,
        category: m.category.get(),
        status: m.status.get(),
    })
}

/// Makes a wish at `event_id`, for its `from` registrant or an organiser of the event: from a
/// buyer to an ESS structure or the other way, between live registrations of the event, once
/// per pair and direction, at most [`MAX_WISHES_MADE`] per person. The count and the insert
/// share one write transaction (on PostgreSQL the `from` registration is locked first), so
/// concurrent wishes cannot pass the limit.
pub async fn make(store: &Store, event_id: Uuid, who: &Credential, new: NewWish) -> Result<Wish, Error> {
    store
        .write(|txn| {
            Box::pin(async move {
                let created_by = match who {
                    Credential::Registrant(own) => {
                        if *own != new.from_registration_id {
                            return Err(Error::NotFound);
                        }
                        crate::events::get(txn, event_id).await?;
                        None
                    }
                    Credential::User(actor) => {
                        crate::events::get_editable(txn, event_id, actor).await?;
                        Some(actor.user_id)
                    }
                };
                let from = party(txn, new.from_registration_id, "from_registration_id", true).await?;
                let to = party(txn, new.to_registration_id, "to_registration_id", false).await?;
                check_wish(event_id, &from, &to)?;
                let existing = wish::Entity::find()
                    .filter(wish::Column::FromRegistrationId.eq(from.id))
                    .filter(wish::Column::ToRegistrationId.eq(to.id))
                    .count(txn)
                    .await?;
                if existing > 0 {
                    return Err(Error::Conflict(
                        "this wish is already made; withdraw it to change its priority".into(),
                    ));
                }
                let made = wish::Entity::find()
                    .filter(wish::Column::FromRegistrationId.eq(from.id))
                    .count(txn)
                    .await?;
                if made >= MAX_WISHES_MADE {
                    return Err(Error::Invalid(matinale_domain::Error::field(
                        "from_registration_id",
                        "too_many",
                        format!("a person makes at most {MAX_WISHES_MADE} wishes; withdraw one first"),
                    )));
                }
                let row = wish::Model {
                    id: Uuid::now_v7(),
                    event_id,
                    from_registration_id: from.id,
                    to_registration_id: to.id,
                    priority: i32::from(new.priority.get()),
                    created_by,
                    // As stored: PostgreSQL keeps microseconds, so the answer matches later reads.
                    created_at: store.now().trunc_subsecs(6),
                };
                wish::Entity::insert(wish::ActiveModel {
                    id: Set(row.id),
                    event_id: Set(row.event_id),
                    from_registration_id: Set(row.from_registration_id),
                    to_registration_id: Set(row.to_registration_id),
                    priority: Set(row.priority),
                    created_by: Set(row.created_by),
                    created_at: Set(row.created_at),
                })
                .exec_without_returning(txn)
                .await?;
                let declined = is_declined(txn, from.id, to.id).await?;
                Ok(Wish {
                    event_id,
                    wish: direct(row)?,
                    declined,
                })
            })
        })
        .await
}

/// The wishes a registration made and received, those implied by interests included, for its
/// token holder or an organiser of its event.
pub async fn of_registration(
    db: &impl ConnectionTrait,
    id: Uuid,
    who: &Credential,
) -> Result<RegistrationWishes, Error> {
    let m = crate::credential::authorised(db, id, who).await?;
    let declined = declined_pairs(db, m.event_id).await?;
    let mut wishes = RegistrationWishes {
        made: Vec::new(),
        received: Vec::new(),
    };
    for w in event_wishes(db, m.event_id).await? {
        let (from, to) = (w.from_registration_id, w.to_registration_id);
        let list = if from == id {
            &mut wishes.made
        } else if to == id {
            &mut wishes.received
        } else {
            continue;
        };
        list.push(Wish {
            event_id: m.event_id,
            declined: declined.contains(&(from, to)) || declined.contains(&(to, from)),
            wish: w,
        });
    }
    Ok(wishes)
}

/// Withdraws a wish made with [`make`], for its `from` registrant or an organiser of the
/// event. Wishes implied by interests are not found here: withdrawing the interest is the way.
pub async fn withdraw(store: &Store, id: Uuid, who: &Credential) -> Result<(), Error> {
    store
        .write(|txn| {
            Box::pin(async move {
                let w = wish::Entity::find_by_id(id).one(txn).await?.ok_or(Error::NotFound)?;
                match who {
                    Credential::Registrant(own) if *own != w.from_registration_id => return Err(Error::NotFound),
                    Credential::Registrant(_) => {}
                    Credential::User(actor) => {
                        crate::events::get_editable(txn, w.event_id, actor).await?;
                    }
                }
                wish::Entity::delete_by_id(id).exec(txn).await?;
                Ok(())
            })
        })
        .await
}

/// The wish `id` (made, or implied by the interest of that id) and its event.
async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<(Uuid, EventWish), Error> {
    if let Some(w) = wish::Entity::find_by_id(id).one(db).await? {
        return Ok((w.event_id, direct(w)?));
    }
    let Some(interest) = need_interest::Entity::find_by_id(id).one(db).await? else {
        return Err(Error::NotFound);
    };
    let Some(need) = need::Entity::find_by_id(interest.need_id).one(db).await? else {
        return Err(Error::NotFound);
    };
    let Some(event_id) = need.event_id else {
        return Err(Error::NotFound);
    };
    // An interest whose sides have no live registration at the event implies no wish.
    event_wishes(db, event_id)
        .await?
        .into_iter()
        .find(|w| w.id == id && w.source == WishSource::Interest)
        .map(|w| (event_id, w))
        .ok_or(Error::NotFound)
}

/// Declines a wish, made or implied by an interest, for its `to` registrant or an organiser of
/// the event: the pair is never scheduled. Declining again changes nothing.
pub async fn decline(store: &Store, id: Uuid, who: &Credential) -> Result<Wish, Error> {
    store
        .write(|txn| {
            Box::pin(async move {
                let (event_id, w) = find(txn, id).await?;
                match who {
                    Credential::Registrant(own) if *own != w.to_registration_id => return Err(Error::NotFound),
                    Credential::Registrant(_) => {}
                    Credential::User(actor) => {
                        crate::events::get_editable(txn, event_id, actor).await?;
                    }
                }
                let from = party(txn, w.from_registration_id, "from_registration_id", false).await?;
                let (buyer, supplier) = match Side::of(from.category) {
                    Some(Side::Buyer) => (w.from_registration_id, w.to_registration_id),
                    _ => (w.to_registration_id, w.from_registration_id),
                };
                wish_decline::Entity::insert(wish_decline::ActiveModel {
                    buyer_registration_id: Set(buyer),
                    supplier_registration_id: Set(supplier),
                    event_id: Set(event_id),
                    declined_by_registration_id: Set(w.to_registration_id),
                    created_at: Set(store.now()),
                })
                .on_conflict_do_nothing()
                .exec_without_returning(txn)
                .await?;
                Ok(Wish {
                    event_id,
                    wish: w,
                    declined: true,
                })
            })
        })
        .await
}
