//! The stewards' view of the day: the slot under way and the next one, table by table, with
//! who has checked in.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use matinale_domain::meeting::MeetingStatus;
use matinale_domain::registration::RegistrationStatus;
use matinale_domain::user::Actor;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entity::text::Text;
use crate::entity::{meeting, meeting_slot, registration};
use crate::error::Error;
use crate::meetings::{Party, Roster};

/// One side at a table, as a steward reads it aloud.
#[derive(Debug, Clone)]
pub struct Seat {
    /// The registration.
    pub registration_id: Uuid,
    /// "First Last".
    pub name: String,
    /// Their organisation.
    pub organisation: Option<String>,
    /// Checked in at the event.
    pub checked_in: bool,
}

/// One table of a slot.
#[derive(Debug, Clone)]
pub struct TableNow {
    /// Table number.
    pub table: u32,
    /// Its label.
    pub table_label: String,
    /// The meeting.
    pub meeting_id: Uuid,
    /// Who sits there.
    pub buyer: Seat,
    /// Who comes.
    pub supplier: Seat,
}

/// One slot and its tables in order.
#[derive(Debug, Clone)]
pub struct SlotNow {
    /// The slot.
    pub slot_id: Uuid,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Tables with a meeting, in table order.
    pub tables: Vec<TableNow>,
}

/// The stewards' view at one instant.
#[derive(Debug, Clone)]
pub struct Now {
    /// The instant.
    pub at: DateTime<Utc>,
    /// The event's zone.
    pub timezone: Tz,
    /// The slot under way, if one is.
    pub current: Option<SlotNow>,
    /// The next slot to start, if any (the first one before the meetings begin).
    pub next: Option<SlotNow>,
}

/// The slot under way at `at` and the next one to start, each with its live meetings table by
/// table and whether each person has checked in; for the event's organisers.
pub async fn now(db: &impl ConnectionTrait, event_id: Uuid, actor: &Actor, at: DateTime<Utc>) -> Result<Now, Error> {
    let event = crate::events::get_editable(db, event_id, actor).await?;
    let slots = meeting_slot::Entity::find()
        .filter(meeting_slot::Column::EventId.eq(event_id))
        .order_by_asc(meeting_slot::Column::StartsAt)
        .order_by_asc(meeting_slot::Column::Id)
        .all(db)
        .await?;
    let current = slots.iter().find(|s| s.starts_at <= at && at < s.ends_at);
    let next = slots.iter().find(|s| s.starts_at > at);
    let wanted: Vec<Uuid> = current.iter().chain(next.iter()).map(|s| s.id).collect();
    let rows = meeting::Entity::find()
        .filter(meeting::Column::SlotId.is_in(wanted))
        .filter(meeting::Column::Status.ne(Text(MeetingStatus::Cancelled)))
        .all(db)
        .await?;
    let people: HashSet<Uuid> = rows
        .iter()
        .flat_map(|m| [m.buyer_registration_id, m.supplier_registration_id])
        .collect();
    let roster = Roster::load(db, event_id, Some(&people)).await?;
    let checked_in: HashSet<Uuid> = registration::Entity::find()
        .filter(registration::Column::Id.is_in(people.iter().copied().collect::<Vec<_>>()))
        .filter(registration::Column::Status.eq(RegistrationStatus::Attended.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let seat = |p: &Party| Seat {
        registration_id: p.registration_id,
        name: p.name.clone(),
        organisation: p.organisation.clone(),
        checked_in: checked_in.contains(&p.registration_id),
    };
    let slot_now = |s: &meeting_slot::Model| -> Result<SlotNow, Error> {
        let mut tables = rows
            .iter()
            .filter(|m| m.slot_id == s.id)
            .map(|m| {
                let v = roster.view_of(m)?;
                Ok(TableNow {
                    table: v.table,
                    table_label: v.table_label,
                    meeting_id: v.id,
                    buyer: seat(&v.buyer),
                    supplier: seat(&v.supplier),
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        tables.sort_by_key(|t| t.table);
        Ok(SlotNow {
            slot_id: s.id,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            tables,
        })
    };
    Ok(Now {
        at,
        timezone: event.fields.timezone,
        current: current.map(&slot_now).transpose()?,
        next: next.map(&slot_now).transpose()?,
    })
}
