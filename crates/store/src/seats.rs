//! Seats: one row per seat of an event (one pool per category with a quota, plus an `open`
//! pool of what the quotas leave of the capacity), kept in step with the event's capacity and
//! quotas, and given to the waiting list as they free up. A seat can never hold two
//! registrations (unique `registration_id`, one row per seat). Registering claims one
//! (`sql::REGISTER_*`).

use matinale_domain::event::{Category, Quotas};
use matinale_domain::mail::MailKind;
use matinale_domain::registration::{RegistrationStatus, SeatPool};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::database::Clocked;
use crate::entity::registration_history::Changer;
use crate::entity::text::Text;
use crate::entity::{registration, seat};
use crate::error::Error;
use crate::history::record;
use crate::notices::mail;
use crate::sql::{bind, first_waiting, free_seat_for_waiting};

/// Seats per pool: (pool, seats, taken, highest seat number).
async fn counts(db: &impl ConnectionTrait, event_id: Uuid) -> Result<Vec<(SeatPool, i64, i64, i64)>, Error> {
    let rows: Vec<(Text<SeatPool>, i64, i64, i32)> = seat::Entity::find()
        .filter(seat::Column::EventId.eq(event_id))
        .select_only()
        .column(seat::Column::Pool)
        .column_as(Expr::col(seat::Column::SeatNo).count(), "seats")
        .column_as(Expr::col(seat::Column::RegistrationId).count(), "taken")
        .column_as(Expr::col(seat::Column::SeatNo).max(), "top")
        .group_by(seat::Column::Pool)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(pool, seats, taken, top)| (pool.get(), seats, taken, i64::from(top)))
        .collect())
}

/// Makes the seat rows of an event match its capacity and quotas, then gives any free seat to
/// the waiting list. Lowering below the seats already taken is a conflict, and so is a seat
/// to drop that a registrant took meanwhile (every delete checks the seat is free and counts
/// what it dropped). Call it with the event held ([`lock_event_for_change`]).
pub async fn sync_seats(db: &impl Clocked, event_id: Uuid, capacity: u32, quotas: &Quotas) -> Result<(), Error> {
    let existing = counts(db, event_id).await?;
    let wanted = SeatPool::sizes(capacity, quotas);
    let free_of = |pool: SeatPool| {
        seat::Entity::delete_many()
            .filter(seat::Column::EventId.eq(event_id))
            .filter(seat::Column::Pool.eq(Text(pool)))
            .filter(seat::Column::RegistrationId.is_null())
    };
    for (pool, seats, taken, _) in &existing {
        if !wanted.iter().any(|(p, _)| p == pool) {
            if *taken > 0 {
                return Err(Error::Conflict(format!(
                    "{taken} registrations hold seats of the {} pool; cancel them before changing its quota",
                    pool.as_str()
                )));
            }
            let dropped = free_of(*pool).exec(db).await?.rows_affected;
            if i64::try_from(dropped).ok() != Some(*seats) {
                return Err(taken_meanwhile(*pool));
            }
        }
    }
    // A category that moves between its own pool and the open pool would leave its live
    // registrations holding seats of the other pool: refuse instead of miscounting.
    for category in Category::ALL {
        let pool = SeatPool::of(*category, quotas);
        let elsewhere = registration::Entity::find()
            .filter(registration::Column::EventId.eq(event_id))
            .filter(registration::Column::Category.eq(Text(*category)))
            .filter(registration::Column::Pool.ne(Text(pool)))
            .filter(registration::Column::Status.is_in([
                Text(RegistrationStatus::Confirmed),
                Text(RegistrationStatus::Waitlisted),
            ]))
            .count(db)
            .await?;
        if elsewhere > 0 {
            return Err(Error::Conflict(format!(
                "{elsewhere} live {category} registrations were taken {}; a quota cannot be added or removed now",
                if pool == SeatPool::Open {
                    "under its quota"
                } else {
                    "without a quota"
                }
            )));
        }
    }
    for (pool, size) in wanted {
        let size = i64::from(size);
        let (seats, taken, top) = existing
            .iter()
            .find(|(p, ..)| *p == pool)
            .map_or((0, 0, 0), |(_, s, t, top)| (*s, *t, *top));
        if size > seats {
            let mut next = top + 1;
            let mut remaining = size - seats;
            while remaining > 0 {
                let chunk = Ord::min(remaining, 500);
                let rows = (next..next + chunk).map(|seat_no| seat::ActiveModel {
                    event_id: sea_orm::Set(event_id),
                    pool: sea_orm::Set(Text(pool)),
                    seat_no: sea_orm::Set(seat_no as i32),
                    registration_id: sea_orm::Set(None),
                });
                seat::Entity::insert_many(rows).exec_without_returning(db).await?;
                next += chunk;
                remaining -= chunk;
            }
        } else if size < seats {
            if taken > size {
                return Err(Error::Conflict(format!(
                    "{taken} seats of the {} pool are taken: it cannot shrink to {size}",
                    pool.as_str()
                )));
            }
            // The outer statement checks again that each seat is free: under READ COMMITTED the
            // subquery's choice is not re-read when a registrant claims one of them meanwhile.
            let highest_free = Query::select()
                .column(seat::Column::SeatNo)
                .from(seat::Entity)
                .and_where(seat::Column::EventId.eq(event_id))
                .and_where(seat::Column::Pool.eq(Text(pool)))
                .and_where(seat::Column::RegistrationId.is_null())
                .order_by(seat::Column::SeatNo, sea_orm::Order::Desc)
                .limit((seats - size) as u64)
                .to_owned();
            let dropped = free_of(pool)
                .filter(seat::Column::SeatNo.in_subquery(highest_free))
                .exec(db)
                .await?
                .rows_affected;
            if i64::try_from(dropped).ok() != Some(seats - size) {
                return Err(taken_meanwhile(pool));
            }
        }
    }
    fill_free_seats(db, event_id).await
}

fn taken_meanwhile(pool: SeatPool) -> Error {
    Error::Conflict(format!(
        "seats of the {} pool were taken while it was changed; read the event again and retry",
        pool.as_str()
    ))
}

/// Takes the event's row for a change (PostgreSQL; SQLite has one writer): registrations
/// check the event's version under a key-share lock, so those in flight finish first (and are
/// counted), and those arriving wait for the change and then see its version.
pub(crate) async fn lock_event_for_change(db: &impl ConnectionTrait, event_id: Uuid) -> Result<(), Error> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(bind(
            DbBackend::Postgres,
            "SELECT 1 FROM events WHERE id = :event_id FOR UPDATE",
            &[("event_id", event_id.into())],
        ))
        .await?;
    }
    Ok(())
}

/// Promotes waitlisted registrations while their pool has free seats (after a quota rises).
async fn fill_free_seats(db: &impl Clocked, event_id: Uuid) -> Result<(), Error> {
    let backend = db.get_database_backend();
    loop {
        let free = db
            .query_one_raw(bind(
                backend,
                &free_seat_for_waiting(backend),
                &[
                    ("event_id", event_id.into()),
                    ("waitlisted", RegistrationStatus::Waitlisted.as_str().into()),
                ],
            ))
            .await?;
        let Some(row) = free else { return Ok(()) };
        let pool: Text<SeatPool> = row.try_get("", "pool")?;
        let seat_no: i32 = row.try_get("", "seat_no")?;
        // A seat taken meanwhile: look for another free one.
        if promote_into(db, event_id, pool.get(), seat_no, None).await? == Promotion::NobodyWaiting {
            return Ok(());
        }
    }
}

/// Frees the seat registration `id` holds, if any: its pool and number.
pub(crate) async fn free(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<(SeatPool, i32)>, Error> {
    let freed = seat::Entity::update_many()
        .col_expr(seat::Column::RegistrationId, Expr::val(Option::<Uuid>::None))
        .filter(seat::Column::RegistrationId.eq(id))
        .exec_with_returning(db)
        .await?;
    Ok(freed.into_iter().next().map(|s| (s.pool.get(), s.seat_no)))
}

/// What [`promote_into`] did with a free seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Promotion {
    /// The first waitlisted registration has it now.
    Promoted,
    /// Nobody waits in its pool.
    NobodyWaiting,
    /// Someone took it meanwhile; nothing was changed.
    SeatTaken,
}

/// Gives a freed seat of `pool` to the first waitlisted registration of that pool (of
/// `category` first), if the seat is still free.
pub(crate) async fn promote_into(
    db: &impl Clocked,
    event_id: Uuid,
    pool: SeatPool,
    seat_no: i32,
    category: Option<Category>,
) -> Result<Promotion, Error> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(bind(
            backend,
            &first_waiting(backend),
            &[
                ("event_id", event_id.into()),
                ("pool", pool.as_str().into()),
                ("waitlisted", RegistrationStatus::Waitlisted.as_str().into()),
                ("category", category.map_or("", |c| c.as_str()).into()),
            ],
        ))
        .await?;
    let Some(row) = row else {
        return Ok(Promotion::NobodyWaiting);
    };
    let promoted: Uuid = row.try_get("", "id")?;
    let promoted_category: Text<Category> = row.try_get("", "category")?;
    // Only while the seat is still free: a registrant may have claimed it since it was read.
    let claimed = seat::Entity::update_many()
        .col_expr(seat::Column::RegistrationId, Expr::val(promoted))
        .filter(seat::Column::EventId.eq(event_id))
        .filter(seat::Column::Pool.eq(Text(pool)))
        .filter(seat::Column::SeatNo.eq(seat_no))
        .filter(seat::Column::RegistrationId.is_null())
        .exec(db)
        .await?
        .rows_affected;
    if claimed != 1 {
        return Ok(Promotion::SeatTaken);
    }
    crate::waitlist::leave(db, event_id, promoted_category.get()).await?;
    registration::change(promoted, db.now())
        .col_expr(
            registration::Column::Status,
            Expr::val(Text(RegistrationStatus::Confirmed)),
        )
        .exec(db)
        .await?;
    record(
        db,
        promoted,
        Changer::System,
        Some(RegistrationStatus::Waitlisted),
        RegistrationStatus::Confirmed,
        "promoted from the waiting list: a seat was freed",
    )
    .await?;
    let m = registration::Entity::find_by_id(promoted)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    mail(
        db,
        MailKind::RegistrationPromoted,
        &m,
        crate::outbox::MailDetails::default(),
    )
    .await?;
    Ok(Promotion::Promoted)
}
