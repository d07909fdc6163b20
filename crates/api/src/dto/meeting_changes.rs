//! Bodies of the changes to published meetings (move, cancel, add by hand) and of the
//! stewards' view of the current and next slot.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use matinale_store::meeting_changes::{NewMeeting, Now, Place, Seat, SlotNow, TableNow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// `PATCH /meetings/{id}`: where the meeting moves.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveMeetingRequest {
    /// A slot of the meeting's event.
    pub slot_id: Uuid,
    /// A table of that slot's block, from 1.
    pub table: u32,
}

impl From<MoveMeetingRequest> for Place {
    fn from(r: MoveMeetingRequest) -> Self {
        Place {
            slot_id: r.slot_id,
            table: r.table,
        }
    }
}

/// `POST /meetings/{id}/cancel`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelMeetingRequest {
    /// Why, told to both people (at most 500 characters).
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /events/{id}/meetings`: a meeting added by hand.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMeetingRequest {
    /// A slot of the event.
    pub slot_id: Uuid,
    /// A table of that slot's block, from 1.
    pub table: u32,
    /// A confirmed (or checked-in) buyer registration of the event.
    pub buyer_registration_id: Uuid,
    /// A confirmed (or checked-in) ESS-structure registration of the event.
    pub supplier_registration_id: Uuid,
}

impl From<AddMeetingRequest> for NewMeeting {
    fn from(r: AddMeetingRequest) -> Self {
        NewMeeting {
            place: Place {
                slot_id: r.slot_id,
                table: r.table,
            },
            buyer: r.buyer_registration_id,
            supplier: r.supplier_registration_id,
        }
    }
}

/// `?at=` of `GET /events/{id}/meetings/now`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NowQuery {
    /// The instant to look from (RFC 3339); now when absent.
    pub at: Option<DateTime<FixedOffset>>,
}

/// One side at a table.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeatResponse {
    /// The registration.
    pub registration_id: Uuid,
    /// Their name.
    pub name: String,
    /// Their organisation.
    pub organisation: Option<String>,
    /// Checked in at the event.
    pub checked_in: bool,
}

impl From<Seat> for SeatResponse {
    fn from(s: Seat) -> Self {
        Self {
            registration_id: s.registration_id,
            name: s.name,
            organisation: s.organisation,
            checked_in: s.checked_in,
        }
    }
}

/// One table of a slot.
#[derive(Debug, Serialize, ToSchema)]
pub struct TableNowResponse {
    /// Table number.
    pub table: u32,
    /// Its label.
    pub table_label: String,
    /// The meeting there.
    pub meeting_id: Uuid,
    /// The buyer, who sits at the table.
    pub buyer: SeatResponse,
    /// The ESS structure, who comes to it.
    pub supplier: SeatResponse,
}

impl From<TableNow> for TableNowResponse {
    fn from(t: TableNow) -> Self {
        Self {
            table: t.table,
            table_label: t.table_label,
            meeting_id: t.meeting_id,
            buyer: t.buyer.into(),
            supplier: t.supplier.into(),
        }
    }
}

/// A slot and its tables with a meeting, in table order.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotNowResponse {
    /// The slot.
    pub slot_id: Uuid,
    /// Start, in the event's time zone.
    pub starts_at: DateTime<FixedOffset>,
    /// End.
    pub ends_at: DateTime<FixedOffset>,
    /// Its tables.
    pub tables: Vec<TableNowResponse>,
}

impl SlotNowResponse {
    fn new(s: SlotNow, tz: Tz) -> Self {
        Self {
            slot_id: s.slot_id,
            starts_at: s.starts_at.with_timezone(&tz).fixed_offset(),
            ends_at: s.ends_at.with_timezone(&tz).fixed_offset(),
            tables: s.tables.into_iter().map(Into::into).collect(),
        }
    }
}

/// What a steward reads aloud: the slot under way and the next one.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingsNowResponse {
    /// The instant looked from, in the event's time zone.
    pub at: DateTime<FixedOffset>,
    /// The slot under way; `null` between slots, before and after.
    pub current: Option<SlotNowResponse>,
    /// The next slot to start (the first one before the meetings begin); `null` after the last.
    pub next: Option<SlotNowResponse>,
}

impl From<Now> for MeetingsNowResponse {
    fn from(n: Now) -> Self {
        let tz = n.timezone;
        Self {
            at: n.at.with_timezone(&tz).fixed_offset(),
            current: n.current.map(|s| SlotNowResponse::new(s, tz)),
            next: n.next.map(|s| SlotNowResponse::new(s, tz)),
        }
    }
}
