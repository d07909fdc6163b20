//! Meeting blocks: time slots and tables of speed meetings.

use chrono::DateTime;
use chrono::FixedOffset;
use chrono::Utc;
use matinale_store::meeting_blocks::MeetingBlock;
use serde::Deserialize;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /events/{id}/meeting-blocks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMeetingBlockRequest {
    /// Start of the first slot, inside the event.
    pub starts_at: DateTime<FixedOffset>,
    /// No slot ends after this; inside the event.
    pub ends_at: DateTime<FixedOffset>,
    /// Length of a slot, 5 to 240 minutes.
    #[schema(minimum = 5, maximum = 240)]
    pub slot_minutes: i64,
    /// Pause between two slots, 0 to 120 minutes.
    #[schema(minimum = 0, maximum = 120)]
    pub break_minutes: i64,
    /// Number of tables, 1 to 2000 (one buyer sits at each).
    #[schema(minimum = 1, maximum = 2000)]
    pub tables: i64,
    /// One label per table (at most 60 characters each), or none: tables are numbered.
    #[serde(default)]
    pub table_labels: Option<Vec<String>>,
}

/// A slot of a block.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingSlotResponse {
    /// Id, as named in `meetings.unavailable_slot_ids` of a registration.
    pub id: Uuid,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
}

/// A block of speed meetings and its slots.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingBlockResponse {
    /// Id.
    pub id: Uuid,
    /// Its event.
    pub event_id: Uuid,
    /// Start of the first slot.
    pub starts_at: DateTime<Utc>,
    /// No slot ends after this.
    pub ends_at: DateTime<Utc>,
    /// Length of a slot.
    pub slot_minutes: u32,
    /// Pause between slots.
    pub break_minutes: u32,
    /// Number of tables.
    pub tables: u32,
    /// One label per table; `null`: tables are numbered.
    pub table_labels: Option<Vec<String>>,
    /// The slots, first first.
    pub slots: Vec<MeetingSlotResponse>,
}

impl From<MeetingBlock> for MeetingBlockResponse {
    fn from(b: MeetingBlock) -> Self {
        Self {
            id: b.id,
            event_id: b.event_id,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            slot_minutes: b.slot_minutes,
            break_minutes: b.break_minutes,
            tables: b.tables,
            table_labels: b.table_labels,
            slots: b
                .slots
                .into_iter()
                .map(|s| MeetingSlotResponse {
                    id: s.id,
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                })
                .collect(),
        }
    }
}
