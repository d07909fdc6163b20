//! What a registration or an event that goes away, or moves, does to its meetings. Below
//! `events` and `registrations`, which call it, and above `meetings` and `outbox`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use matinale_domain::event::EventFields;
use matinale_domain::mail::MailKind;
use matinale_domain::meeting::MeetingStatus;
use matinale_domain::registration::RegistrationStatus;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::database::Clocked;
use crate::entity::text::Text;
use crate::entity::{meeting, meeting_slot, registration};
use crate::error::Error;
use crate::outbox::{self, MailDetails, NewMail};

/// `cancel_reason` of the meetings an event's cancellation took with it; the `event_cancelled`
/// mail carries their `METHOD:CANCEL`s.
pub const EVENT_CANCELLED: &str = "the event was cancelled";

/// `cancel_reason` of the meetings of a registration that was cancelled.
pub const PARTICIPANT_LEFT: &str = "the other participant cancelled their registration";

/// The statuses of a meeting that still takes place (or took place).
pub(crate) fn live_statuses() -> [&'static str; 3] {
    [
        MeetingStatus::Scheduled.as_str(),
        MeetingStatus::Held.as_str(),
        MeetingStatus::NoShow.as_str(),
    ]
}

/// Queues `kind` to each of `people` whose registration is not cancelled.
pub(crate) async fn tell(
    db: &impl Clocked,
    people: &[Uuid],
    kind: MailKind,
    details: MailDetails,
) -> Result<(), Error> {
    let rows = registration::Entity::find()
        .filter(registration::Column::Id.is_in(people.to_vec()))
        .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled.as_str()))
        .all(db)
        .await?;
    let mut mails = Vec::with_capacity(rows.len());
    for id in people {
        if let Some(r) = rows.iter().find(|r| r.id == *id) {
            mails.push(NewMail::to_registration(r, kind, details.clone()));
        }
    }
    outbox::enqueue_many(db, mails).await
}

/// Cancels those of `rows` still scheduled, with `reason`; each `sequence` grows by one.
async fn cancel_all(db: &impl Clocked, rows: &[meeting::Model], reason: &str) -> Result<(), Error> {
    for chunk in rows.chunks(500) {
        meeting::Entity::update_many()
            .col_expr(meeting::Column::Status, Expr::val(MeetingStatus::Cancelled.as_str()))
            .col_expr(meeting::Column::Sequence, Expr::col(meeting::Column::Sequence).add(1))
            .col_expr(meeting::Column::CancelReason, Expr::val(reason))
            .col_expr(meeting::Column::UpdatedAt, Expr::val(db.now()))
            .filter(meeting::Column::Id.is_in(chunk.iter().map(|m| m.id).collect::<Vec<_>>()))
            .filter(meeting::Column::Status.eq(Text(MeetingStatus::Scheduled)))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Inside the transaction that cancels registration `id`: cancels its scheduled meetings that
/// have not started and queues each partner the cancellation. Returns how many.
pub async fn cancel_for_registration(db: &impl Clocked, id: Uuid) -> Result<usize, Error> {
    let rows = meeting::Entity::find()
        .filter(
            Condition::any()
                .add(meeting::Column::BuyerRegistrationId.eq(id))
                .add(meeting::Column::SupplierRegistrationId.eq(id)),
        )
        .filter(meeting::Column::Status.eq(Text(MeetingStatus::Scheduled)))
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let slot_ids: Vec<Uuid> = rows
        .iter()
        .map(|m| m.slot_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let now = db.now();
    let future: HashSet<Uuid> = meeting_slot::Entity::find()
        .filter(meeting_slot::Column::Id.is_in(slot_ids))
        .filter(meeting_slot::Column::StartsAt.gt(now))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let rows: Vec<meeting::Model> = rows.into_iter().filter(|m| future.contains(&m.slot_id)).collect();
    cancel_all(db, &rows, PARTICIPANT_LEFT).await?;
    for m in &rows {
        let partner = if m.buyer_registration_id == id {
            m.supplier_registration_id
        } else {
            m.buyer_registration_id
        };
        tell(db, &[partner], MailKind::MeetingCancelled, MailDetails::meeting(m.id)).await?;
    }
    Ok(rows.len())
}

/// Inside the transaction that cancels event `event_id`: cancels all its scheduled meetings.
/// Their `METHOD:CANCEL`s go out in each person's `event_cancelled` mail (see
/// [`cancelled_with_event`]), not one mail per meeting.
pub async fn cancel_for_event(db: &impl Clocked, event_id: Uuid) -> Result<usize, Error> {
    let rows = meeting::Entity::find()
        .filter(meeting::Column::EventId.eq(event_id))
        .filter(meeting::Column::Status.eq(Text(MeetingStatus::Scheduled)))
        .all(db)
        .await?;
    cancel_all(db, &rows, EVENT_CANCELLED).await?;
    Ok(rows.len())
}

/// Inside the transaction that changes event `event_id` from `current` to `next`: refuses new
/// times that would leave a live meeting (scheduled, held or no-show) outside the event, naming
/// `starts_at` or `ends_at`. Cancel or move those meetings first.
pub async fn check_event_times(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    current: &EventFields,
    next: &EventFields,
) -> Result<(), Error> {
    if current.starts_at == next.starts_at && current.ends_at == next.ends_at {
        return Ok(());
    }
    let slots: HashMap<Uuid, meeting_slot::Model> = meeting_slot::Entity::find()
        .filter(meeting_slot::Column::EventId.eq(event_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let live = meeting::Entity::find()
        .filter(meeting::Column::EventId.eq(event_id))
        .filter(meeting::Column::Status.is_in(live_statuses()))
        .all(db)
        .await?;
    let used = live.iter().filter_map(|m| slots.get(&m.slot_id));
    let (mut first, mut last): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = (None, None);
    for slot in used {
        first = Some(first.map_or(slot.starts_at, |f| Ord::min(f, slot.starts_at)));
        last = Some(last.map_or(slot.ends_at, |l| Ord::max(l, slot.ends_at)));
    }
    if let Some(first) = first.filter(|f| *f < next.starts_at) {
        return Err(Error::Conflict(format!(
            "starts_at: a published meeting starts at {first}, before the new start; move or cancel it first"
        )));
    }
    if let Some(last) = last.filter(|l| *l > next.ends_at) {
        return Err(Error::Conflict(format!(
            "ends_at: a published meeting ends at {last}, after the new end; move or cancel it first"
        )));
    }
    Ok(())
}
