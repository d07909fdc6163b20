//! Speed-meeting preferences of a registration, in `PATCH /registrations/{id}` and in every
//! registration answered.

use super::nullable;
use matinale_domain::meeting::MeetingPreferences;
use matinale_store::meeting_preferences::PreferencesChange;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// `meetings` of `PATCH /registrations/{id}`: absent keys keep their current value.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingPreferencesPatch {
    /// Takes part in speed meetings (true unless set otherwise).
    pub opt_in: Option<bool>,
    /// At most this many meetings, 1 to 200 (`null`: no limit).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, nullable)]
    pub max_meetings: Option<Option<i64>>,
    /// Slots of the event's meeting blocks the person cannot attend (replaces the list).
    pub unavailable_slot_ids: Option<Vec<Uuid>>,
    /// Would meet anyone on the day, wished or not (a re-plan fills idle tables with them).
    pub open_to_any: Option<bool>,
}

impl From<MeetingPreferencesPatch> for PreferencesChange {
    fn from(p: MeetingPreferencesPatch) -> Self {
        PreferencesChange {
            opt_in: p.opt_in,
            max_meetings: p.max_meetings,
            unavailable_slot_ids: p.unavailable_slot_ids,
            open_to_any: p.open_to_any,
        }
    }
}

/// Whether and how much a registrant takes part in speed meetings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingPreferencesResponse {
    /// Takes part.
    pub opt_in: bool,
    /// At most this many meetings; `null`: no limit.
    pub max_meetings: Option<u32>,
    /// Slots the person cannot attend.
    pub unavailable_slot_ids: Vec<Uuid>,
    /// Would meet anyone on the day, wished or not.
    pub open_to_any: bool,
}

impl Default for MeetingPreferencesResponse {
    fn default() -> Self {
        MeetingPreferences::default().into()
    }
}

impl From<MeetingPreferences> for MeetingPreferencesResponse {
    fn from(p: MeetingPreferences) -> Self {
        Self {
            opt_in: p.opt_in,
            max_meetings: p.max_meetings,
            unavailable_slot_ids: p.unavailable_slot_ids,
            open_to_any: p.open_to_any,
        }
    }
}
