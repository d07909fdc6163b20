//! Meeting blocks: time slots and tables of speed meetings. A block is answered as the
//! domain's [`matinale_domain::meeting::MeetingBlock`] (schema `MeetingBlockResponse`).

use chrono::DateTime;
use chrono::FixedOffset;
use serde::Deserialize;
use utoipa::ToSchema;

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
    /// One label per table (at most 60 characters each, on one line), or none: tables are
    /// numbered.
    #[serde(default)]
    pub table_labels: Option<Vec<String>>,
}
