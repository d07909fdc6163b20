//! What a draft timetable holds, as `schedule_drafts.result` stores it: its meetings and its
//! figures. Written by `schedule`, read by `meetings` when a draft is published.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One meeting of a draft, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftMeeting {
    /// Id: a published meeting's own, or the one it will get when published.
    pub id: Uuid,
    /// Slot.
    pub slot_id: Uuid,
    /// Table, from 1.
    pub table: u32,
    /// The buyer's registration.
    pub buyer_registration_id: Uuid,
    /// The ESS structure's registration.
    pub supplier_registration_id: Uuid,
    /// Wish weights of both sides.
    pub score: u32,
    /// Already published (kept as it is).
    pub published: bool,
}

/// Wishes of one priority, and how many of them the draft meets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WishTally {
    /// 1 to 3.
    pub priority: u8,
    /// Wishes of that priority (one per direction; declined pairs left out).
    pub wished: u32,
    /// Of those, met by a meeting.
    pub met: u32,
}

/// Least, median and most of a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Spread {
    /// Least.
    pub min: u32,
    /// Median (the lower one of an even count).
    pub median: u32,
    /// Most.
    pub max: u32,
}

/// How full one slot is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotUse {
    /// Slot.
    pub slot_id: Uuid,
    /// Its start.
    pub starts_at: DateTime<Utc>,
    /// Tables with a meeting.
    pub used: u32,
    /// Tables of the slot.
    pub tables: u32,
}

/// What an organiser reads to judge a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleStats {
    /// Sum of meeting scores plus the coverage bonus of everyone met (docs/scheduler.md), of
    /// the wished meetings (the meetings of people open to anyone are left out).
    pub objective: i64,
    /// A proven upper bound on the objective.
    pub upper_bound: f64,
    /// objective / upper bound (1 when both are 0).
    pub ratio: f64,
    /// Wishes met, by priority.
    pub wishes_by_priority: Vec<WishTally>,
    /// Participants (confirmed buyers and ESS structures taking part).
    pub participants: u32,
    /// Participants who made or received a wish.
    pub participants_asking: u32,
    /// Participants with at least one meeting.
    pub participants_met: u32,
    /// Asking participants with at least one meeting.
    pub asking_met: u32,
    /// Meetings per asking participant.
    pub meetings_per_participant: Spread,
    /// Tables used, slot by slot.
    pub tables_used: Vec<SlotUse>,
    /// Meetings in the draft, those of `open_to_any_meetings` included.
    pub meetings: u32,
    /// Meetings seated for two people who would meet anyone (`fill_idle`), where both were
    /// idle; they meet no wish and score 0. Drafts stored before it read 0.
    #[serde(default)]
    pub open_to_any_meetings: u32,
    /// Published meetings kept.
    pub kept: u32,
    /// Published meetings dropped because a side no longer takes part.
    pub dropped_kept: u32,
    /// Times a buyer changes table between two consecutive meetings.
    pub buyer_table_changes: u32,
    /// Time the scheduler took.
    pub millis: u64,
}

/// A draft as stored in `schedule_drafts.result`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftResult {
    /// Every meeting of the timetable it proposes, published ones included.
    pub meetings: Vec<DraftMeeting>,
    /// Its figures.
    pub stats: ScheduleStats,
}
