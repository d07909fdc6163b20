//! The instance and solution files of the `schedule` command (described in docs/scheduler.md).

use serde::{Deserialize, Serialize};

/// Coverage bonus used when the instance does not give one.
pub const DEFAULT_COVERAGE_BONUS: i64 = 5;

fn default_coverage_bonus() -> i64 {
    DEFAULT_COVERAGE_BONUS
}

/// A speed-meeting block to schedule: slots, participants, wishes and meetings already published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    /// Points added for every participant who gets at least one meeting (default 5, never negative).
    #[serde(default = "default_coverage_bonus")]
    pub coverage_bonus: i64,
    /// The time slots of the block; they must not overlap.
    pub slots: Vec<MeetingSlot>,
    /// Buyers and suppliers; ids are unique across both sides.
    pub participants: Vec<Participant>,
    /// Who wishes to meet whom, and how much.
    #[serde(default)]
    pub wishes: Vec<Wish>,
    /// Meetings already published, kept exactly (slot and table) on a re-run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<KeptMeeting>,
}

/// A time slot with a number of tables, numbered `1..=tables`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingSlot {
    /// Unique slot id.
    pub id: String,
    /// RFC 3339 start time, e.g. `2026-11-25T10:00:00+01:00`.
    pub starts_at: String,
    /// RFC 3339 end time, strictly after `starts_at`.
    pub ends_at: String,
    /// How many meetings the slot can hold.
    pub tables: u32,
}

/// The two sides of a speed meeting: buyers hold a table, suppliers walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// A purchaser (public or private), holding an inverted stand.
    Buyer,
    /// An ESS structure offering goods or services.
    Supplier,
}

impl Side {
    /// The plural noun used in messages ("buyers", "suppliers").
    pub fn plural(self) -> &'static str {
        match self {
            Side::Buyer => "buyers",
            Side::Supplier => "suppliers",
        }
    }

    /// The singular noun used in messages ("buyer", "supplier").
    pub fn noun(self) -> &'static str {
        match self {
            Side::Buyer => "buyer",
            Side::Supplier => "supplier",
        }
    }
}

/// A participant of the block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// Unique participant id (across both sides).
    pub id: String,
    /// Buyer or supplier.
    pub side: Side,
    /// Slot ids the participant can attend; missing means every slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<Vec<String>>,
    /// Maximum number of meetings; missing means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_meetings: Option<u32>,
    /// A buyer's own table (the table of its inverted stand), from 1: every meeting of the
    /// buyer is at that table, and no other buyer sits there (except kept meetings, which stay
    /// where they are). The buyer meets nobody in a slot with fewer tables, or whose table a
    /// kept meeting of another buyer holds. Missing means any table. Suppliers have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<u32>,
}

/// A wish of `from` to meet `to` (of the other side), with a priority 1–3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wish {
    /// Id of the participant who wishes.
    pub from: String,
    /// Id of the participant wished for.
    pub to: String,
    /// Priority, 1 (nice to have) to 3 (must meet).
    pub weight: i64,
}

/// A meeting already published, to be kept on a re-run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptMeeting {
    /// Buyer id.
    pub buyer: String,
    /// Supplier id.
    pub supplier: String,
    /// Slot id.
    pub slot: String,
    /// Table number, `1..=tables` of the slot.
    pub table: u32,
}

/// The schedule produced for an instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    /// Meetings ordered by slot start time, then table.
    pub meetings: Vec<Meeting>,
    /// Sum of meeting scores plus the coverage bonus of every participant met.
    pub objective: i64,
    /// A proven upper bound on the objective of any schedule, which is also an upper bound
    /// on the optimum of the linear-programming relaxation (see the crate documentation).
    pub upper_bound: f64,
    /// Counters about the schedule.
    pub stats: Stats,
}

/// One meeting of the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// Buyer id.
    pub buyer: String,
    /// Supplier id.
    pub supplier: String,
    /// Slot id.
    pub slot: String,
    /// Table number in the slot, from 1.
    pub table: u32,
    /// weight(buyer → supplier) + weight(supplier → buyer); 0 for a kept meeting nobody wishes any more.
    pub score: u32,
}

/// Counters about a schedule. `millis` is the only field that depends on the machine.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Participants with at least one meeting.
    pub participants_met: u32,
    /// Wishes (one per direction) fulfilled by a meeting.
    pub wishes_met: u32,
    /// Wall time of the solver, in milliseconds.
    pub millis: u64,
    /// Number of meetings.
    #[serde(default)]
    pub meetings: u32,
    /// Kept meetings carried over unchanged.
    #[serde(default)]
    pub kept: u32,
    /// Kept meetings dropped because one of their participants is no longer in the instance.
    #[serde(default)]
    pub dropped_kept: u32,
    /// How many times a buyer changes table between two consecutive meetings.
    #[serde(default)]
    pub buyer_table_changes: u32,
}
