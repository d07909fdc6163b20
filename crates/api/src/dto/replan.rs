//! On the day: a registration's presence, and the re-plan of the rest of a meeting block.

use super::nullable;
use matinale_domain::meeting::MeetingSlot;
use matinale_store::presence::{PresenceChange, PresenceView};
use matinale_store::replan::Replanned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /registrations/{id}/presence`: absent keys keep their current value, `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresenceRequest {
    /// Present (`true`) or absent (`false`) for the rest of the block, over the check-in
    /// (organisers only; `null`: the check-in decides again).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>, nullable)]
    pub present: Option<Option<bool>>,
    /// "I will arrive for this slot": earlier slots become unavailable, and until then the
    /// person is expected rather than absent.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub from_slot_id: Option<Option<Uuid>>,
    /// "I leave after this slot": later slots become unavailable.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub until_slot_id: Option<Option<Uuid>>,
}

impl From<PresenceRequest> for PresenceChange {
    fn from(p: PresenceRequest) -> Self {
        PresenceChange {
            present: p.present,
            from_slot_id: p.from_slot_id,
            until_slot_id: p.until_slot_id,
        }
    }
}

/// A registration's presence on the day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PresenceResponse {
    /// The registration.
    pub registration_id: Uuid,
    /// Checked in.
    pub checked_in: bool,
    /// An organiser's mark for the rest of the block, if any.
    pub marked_present: Option<bool>,
    /// The slot the person arrives for, if said.
    pub from_slot_id: Option<Uuid>,
    /// The last slot the person stays for, if said.
    pub until_slot_id: Option<Uuid>,
}

impl From<PresenceView> for PresenceResponse {
    fn from(p: PresenceView) -> Self {
        Self {
            registration_id: p.registration_id,
            checked_in: p.checked_in,
            marked_present: p.marked_present,
            from_slot_id: p.from_slot_id,
            until_slot_id: p.until_slot_id,
        }
    }
}

/// `GET /registrations/{id}/presence`: the presence, and the slots an arrival or a leaving
/// may name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationPresenceResponse {
    /// The presence.
    #[serde(flatten)]
    pub presence: PresenceResponse,
    /// The event's meeting slots in time order, with the offset of the event's time zone.
    pub slots: Vec<MeetingSlot>,
}

/// `POST /events/{id}/schedule/replan` (the body is optional).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplanRequest {
    /// The first slot to re-plan; default the next slot to start.
    pub from_slot_id: Option<Uuid>,
}

/// What a re-plan did; it is published.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplanResponse {
    /// The first slot re-planned.
    pub from_slot_id: Uuid,
    /// Published meetings from that slot on, kept exactly as they were.
    pub kept: Vec<Uuid>,
    /// Published meetings from that slot on, cancelled: a side is absent.
    pub cancelled: Vec<Uuid>,
    /// Meetings added and published.
    pub added: Vec<Uuid>,
    /// Of `added`, meetings of two people who would meet anyone (`meetings.open_to_any`),
    /// seated where both were idle once every wish that could be met was placed.
    pub open_to_any_meetings: u64,
    /// People mailed the change.
    pub notified: u64,
    /// From the request to the answer, mails queued, in milliseconds.
    pub millis: u64,
}

impl From<Replanned> for ReplanResponse {
    fn from(r: Replanned) -> Self {
        Self {
            from_slot_id: r.from_slot_id,
            kept: r.kept,
            cancelled: r.cancelled,
            added: r.added,
            open_to_any_meetings: r.open_to_any_meetings,
            notified: r.notified,
            millis: r.millis,
        }
    }
}

/// `POST /events/{id}/schedule` (the body is optional).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunScheduleRequest {
    /// Also seat pairs who both would meet anyone (`meetings.open_to_any`) where a slot leaves
    /// both idle, below every wish: the draft's wish figures do not change, and
    /// `stats.open_to_any_meetings` counts them. Default false.
    #[serde(default)]
    pub fill_idle: bool,
}
