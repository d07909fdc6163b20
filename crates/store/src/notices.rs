//! Mail to registrants: [`mail`] queues one about a registration (confirmation, promotion,
//! link, …) in the caller's transaction; an event queues the news that it is cancelled (in the
//! cancelling transaction) and the reminder the day before (by a periodic sweep).

use chrono::{DateTime, Duration, Utc};
use matinale_domain::event::EventStatus;
use matinale_domain::mail::MailKind;
use matinale_domain::registration::RegistrationStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::database::Clocked;
use crate::database::Store;
use crate::entity::text::Text;
use crate::entity::{event, registration};
use crate::error::Error;
use crate::outbox::{self, MailDetails, MailPayload, NewMail};

/// Queues a mail of `kind` to the person of `m`, about their registration and its event.
pub(crate) async fn mail(
    db: &impl Clocked,
    kind: MailKind,
    m: &registration::Model,
    details: MailDetails,
) -> Result<(), Error> {
    outbox::enqueue(db, NewMail::to_registration(m, kind, details)).await
}

/// What every mail about a registration carries, and `details`.
pub(crate) fn mail_payload(
    registration_id: Uuid,
    event_id: Uuid,
    first_name: &str,
    last_name: &str,
    category: &str,
    details: MailDetails,
) -> serde_json::Value {
    MailPayload {
        registration_id,
        event_id: Some(event_id),
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
        category: Some(category.to_owned()),
        details,
    }
    .to_json()
}

/// How long before an event its reminder becomes due.
pub fn reminder_lead() -> Duration {
    Duration::hours(24)
}

/// Queues an `event_cancelled` mail to every live (confirmed or waitlisted) registration of
/// `event_id`. Call it inside the transaction that cancels the event.
pub async fn queue_event_cancelled(db: &impl Clocked, event_id: Uuid) -> Result<usize, Error> {
    let live = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Status.is_in([
            Text(RegistrationStatus::Confirmed),
            Text(RegistrationStatus::Waitlisted),
        ]))
        .order_by_asc(registration::Column::QueueOrder)
        .order_by_asc(registration::Column::Id)
        .all(db)
        .await?;
    for m in &live {
        mail(db, MailKind::EventCancelled, m, MailDetails::default()).await?;
    }
    Ok(live.len())
}

/// What one reminder sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderSweep {
    /// Events whose reminders this sweep queued.
    pub events: usize,
    /// Reminders queued.
    pub mails: usize,
}

/// Queues the day-before reminders of every public event starting within
/// [`reminder_lead`] of `now` whose reminders were not queued yet: one to each confirmed
/// registration created before the reminder became due (`starts_at - lead`); people who
/// registered later just got their confirmation and get none.
///
/// Each event is marked (`reminders_queued_at`) and its reminders queued in one transaction
/// whose first statement is the conditional mark, so that of two sweeps (two processes on one
/// PostgreSQL) exactly one queues them: the other's mark affects no row.
pub async fn queue_due_reminders(store: &Store, now: DateTime<Utc>) -> Result<ReminderSweep, Error> {
    let public = [EventStatus::Published.as_str(), EventStatus::Closed.as_str()];
    let due: Vec<(Uuid, DateTime<Utc>)> = event::Entity::find()
        .filter(event::Column::RemindersQueuedAt.is_null())
        .filter(event::Column::Status.is_in(public))
        .filter(event::Column::StartsAt.gt(now))
        .filter(event::Column::StartsAt.lte(now + reminder_lead()))
        .order_by_asc(event::Column::StartsAt)
        .select_only()
        .column(event::Column::Id)
        .column(event::Column::StartsAt)
        .into_tuple()
        .all(store)
        .await?;
    let mut sweep = ReminderSweep::default();
    for (event_id, starts_at) in due {
        let public = &public;
        let queued = store
            .write(|txn| {
                Box::pin(async move {
                    let marked = event::Entity::update_many()
                        .col_expr(event::Column::RemindersQueuedAt, Expr::val(now))
                        .filter(event::Column::Id.eq(event_id))
                        .filter(event::Column::RemindersQueuedAt.is_null())
                        .filter(event::Column::Status.is_in(*public))
                        // Rescheduled since it was read: the next sweep looks at it again.
                        .filter(event::Column::StartsAt.eq(starts_at))
                        .exec(txn)
                        .await?;
                    if marked.rows_affected != 1 {
                        return Ok(None);
                    }
                    let recipients = registration::Entity::find()
                        .filter(registration::Column::EventId.eq(event_id))
                        .filter(registration::Column::Status.eq(Text(RegistrationStatus::Confirmed)))
                        .filter(registration::Column::CreatedAt.lte(starts_at - reminder_lead()))
                        .order_by_asc(registration::Column::QueueOrder)
                        .order_by_asc(registration::Column::Id)
                        .all(txn)
                        .await?;
                    for m in &recipients {
                        mail(txn, MailKind::EventReminder, m, MailDetails::default()).await?;
                    }
                    Ok(Some(recipients.len()))
                })
            })
            .await?;
        if let Some(reminders) = queued {
            sweep.events += 1;
            sweep.mails += reminders;
            tracing::info!(%event_id, reminders, "day-before reminders queued");
        }
    }
    Ok(sweep)
}
