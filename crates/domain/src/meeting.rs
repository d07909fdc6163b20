//! Speed meetings: blocks of time slots with tables, who takes part and when, wishes to meet,
//! and the meetings of a published timetable.
//!
//! Public buyers sit at a table (they hold an inverted stand); ESS structures walk from table
//! to table. A block is cut into slots of `slot_minutes` separated by `break_minutes`.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{bounded_line, Checker, FieldError};
use crate::event::Category;
use crate::registration::RegistrationStatus;
use crate::Error;

/// Shortest slot a block may have.
pub const MIN_SLOT_MINUTES: u32 = 5;
/// Longest slot a block may have.
pub const MAX_SLOT_MINUTES: u32 = 240;
/// Longest break between two slots.
pub const MAX_BREAK_MINUTES: u32 = 120;
/// Most tables a block may have (a regional day has a few hundred).
pub const MAX_TABLES: u32 = 2000;
/// Most wishes one person may make at one event.
pub const MAX_WISHES_MADE: u64 = 30;
/// Most meetings a person may ask for.
pub const MAX_MEETINGS_LIMIT: u32 = 200;
/// Longest table label ("Table 4 – Établissement public territorial Grand-Orly Seine Bièvre").
pub const MAX_TABLE_LABEL: usize = 120;
/// Most slots a person may mark as unavailable in one request.
pub const MAX_UNAVAILABLE_SLOTS: usize = 1000;

text_enum! {
    /// Where a published meeting stands.
    MeetingStatus {
        /// In the published timetable.
        Scheduled => "scheduled",
        /// Called off (a participant left, the organiser cancelled it, a re-run dropped it).
        Cancelled => "cancelled",
        /// Took place.
        Held => "held",
        /// One side or both did not come.
        NoShow => "no_show",
    }
}

/// The two sides of a speed meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// A public buyer, sitting at a table.
    Buyer,
    /// An ESS structure, walking to the buyers' tables.
    Supplier,
}

impl Side {
    /// The side a registration category takes in speed meetings; partners and visitors take none.
    pub fn of(category: Category) -> Option<Side> {
        match category {
            Category::Buyer => Some(Side::Buyer),
            Category::EssStructure => Some(Side::Supplier),
            Category::Partner | Category::Visitor => None,
        }
    }
}

/// A slot of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = MeetingSlotResponse)]
pub struct MeetingSlot {
    /// Id, as named in `meetings.unavailable_slot_ids` of a registration.
    pub id: Uuid,
    /// Start, with the offset of the event's time zone.
    pub starts_at: DateTime<FixedOffset>,
    /// End, with the offset of the event's time zone.
    pub ends_at: DateTime<FixedOffset>,
}

/// A block of speed meetings and its slots.
// What `MeetingBlock::parse` makes of a draft, what the store keeps and what the API answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = MeetingBlockResponse)]
pub struct MeetingBlock {
    /// Id.
    pub id: Uuid,
    /// Its event.
    pub event_id: Uuid,
    /// Start of the first slot, with the offset of the event's time zone.
    pub starts_at: DateTime<FixedOffset>,
    /// No slot ends after this (same offset).
    pub ends_at: DateTime<FixedOffset>,
    /// Length of a slot.
    pub slot_minutes: u32,
    /// Pause between slots.
    pub break_minutes: u32,
    /// Number of tables.
    pub tables: u32,
    /// One label per table; `null`: tables are numbered.
    pub table_labels: Option<Vec<String>>,
    /// The slots, first first.
    pub slots: Vec<MeetingSlot>,
}

/// What a block request holds, before it is checked.
#[derive(Debug, Clone)]
pub struct MeetingBlockDraft {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Minutes per slot.
    pub slot_minutes: i64,
    /// Minutes between slots.
    pub break_minutes: i64,
    /// Number of tables.
    pub tables: i64,
    /// Table labels.
    pub table_labels: Option<Vec<String>>,
}

impl MeetingBlock {
    /// Checks a new block of event `event_id` against the event's times and the blocks it
    /// already has (which it must not overlap), and cuts it into slots. Every fault is named by
    /// its field. The block and each of its slots get a fresh id; their times are given with
    /// the offset of `timezone`, the event's.
    pub fn parse(
        draft: MeetingBlockDraft,
        event_id: Uuid,
        timezone: Tz,
        event_starts_at: DateTime<Utc>,
        event_ends_at: DateTime<Utc>,
        other_blocks: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Result<Self, Error> {
        let mut check = Checker::new();
        let in_range = |value: i64, min: u32, max: u32| value >= i64::from(min) && value <= i64::from(max);
        check.ensure(
            in_range(draft.slot_minutes, MIN_SLOT_MINUTES, MAX_SLOT_MINUTES),
            "slot_minutes",
            "out_of_range",
            &format!("a slot lasts {MIN_SLOT_MINUTES} to {MAX_SLOT_MINUTES} minutes"),
        );
        check.ensure(
            in_range(draft.break_minutes, 0, MAX_BREAK_MINUTES),
            "break_minutes",
            "out_of_range",
            &format!("a break lasts 0 to {MAX_BREAK_MINUTES} minutes"),
        );
        check.ensure(
            in_range(draft.tables, 1, MAX_TABLES),
            "tables",
            "out_of_range",
            &format!("a block has 1 to {MAX_TABLES} tables"),
        );
        if draft.ends_at <= draft.starts_at {
            check.push(FieldError::new("ends_at", "order", "must be after starts_at"));
        } else {
            check.ensure(
                draft.starts_at >= event_starts_at,
                "starts_at",
                "out_of_range",
                "the block must start within the event",
            );
            check.ensure(
                draft.ends_at <= event_ends_at,
                "ends_at",
                "out_of_range",
                "the block must end within the event",
            );
            if other_blocks
                .iter()
                .any(|(s, e)| draft.starts_at < *e && *s < draft.ends_at)
            {
                check.push(FieldError::new(
                    "starts_at",
                    "overlap",
                    "the block overlaps another meeting block of this event",
                ));
            }
        }
        let mut labels = None;
        if let Some(given) = &draft.table_labels {
            if i64::try_from(given.len()).ok() != Some(draft.tables) {
                check.push(FieldError::new(
                    "table_labels",
                    "invalid",
                    "give one label per table, or none",
                ));
            } else {
                let mut parsed = Vec::with_capacity(given.len());
                for (i, label) in given.iter().enumerate() {
                    let field = format!("table_labels[{i}]");
                    match bounded_line(&field, label, MAX_TABLE_LABEL) {
                        Ok(l) if l.is_empty() => check.push(FieldError::new(field, "required", "must not be empty")),
                        Ok(l) if l.contains(['\n', '\r']) => {
                            check.push(FieldError::new(field, "invalid", "must be on one line"))
                        }
                        Ok(l) => parsed.push(l),
                        Err(e) => {
                            check.take::<()>(Err(e));
                        }
                    }
                }
                labels = Some(parsed);
            }
        }
        if !check.is_clean() {
            return Err(check.into_error());
        }
        let slot_minutes = u32::try_from(draft.slot_minutes).unwrap_or(MIN_SLOT_MINUTES);
        let break_minutes = u32::try_from(draft.break_minutes).unwrap_or(0);
        let slots = slot_times(draft.starts_at, draft.ends_at, slot_minutes, break_minutes);
        if slots.is_empty() {
            return Err(Error::field(
                "slot_minutes",
                "out_of_range",
                "not one slot fits between starts_at and ends_at",
            ));
        }
        let local = |t: DateTime<Utc>| local_time(t, timezone);
        Ok(MeetingBlock {
            id: Uuid::now_v7(),
            event_id,
            starts_at: local(draft.starts_at),
            ends_at: local(draft.ends_at),
            slot_minutes,
            break_minutes,
            tables: u32::try_from(draft.tables).unwrap_or(1),
            table_labels: labels,
            slots: slots
                .into_iter()
                .map(|(starts_at, ends_at)| MeetingSlot {
                    id: Uuid::now_v7(),
                    starts_at: local(starts_at),
                    ends_at: local(ends_at),
                })
                .collect(),
        })
    }
}

/// The table each stand holder keeps for the whole of the speed meetings: the table whose label
/// names the organisation (the label is its name, or ends with it after a separator, as in
/// `Table 3 – Ville de Vitry-sur-Seine`), the same number in every block whose labels name it.
/// A table named after two holders goes to the longer name (the more precise); a holder named
/// at different tables in two blocks keeps none.
///
/// `labels` holds the labels of each block that has some; `holders` the organisations holding
/// an inverted stand, with their names.
pub fn stand_tables(labels: &[Vec<String>], holders: &[(Uuid, String)]) -> std::collections::BTreeMap<Uuid, u32> {
    use std::collections::BTreeMap;
    let names = |label: &str, name: &str| {
        let (label, name) = (label.trim(), name.trim());
        !name.is_empty()
            && label.ends_with(name)
            && label[..label.len() - name.len()]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
    };
    // (block, table) → the holder with the longest name that the label names.
    let mut holder_at: BTreeMap<(usize, u32), (usize, Uuid)> = BTreeMap::new();
    for (block, block_labels) in labels.iter().enumerate() {
        for (i, label) in block_labels.iter().enumerate() {
            let table = i as u32 + 1;
            for (id, name) in holders {
                if names(label, name) {
                    let entry = holder_at.entry((block, table)).or_insert((name.len(), *id));
                    if name.len() > entry.0 {
                        *entry = (name.len(), *id);
                    }
                }
            }
        }
    }
    let mut tables: BTreeMap<Uuid, Option<u32>> = BTreeMap::new();
    let mut seen: BTreeMap<(Uuid, usize), ()> = BTreeMap::new();
    for (&(block, table), &(_, id)) in &holder_at {
        let first_in_block = seen.insert((id, block), ()).is_none();
        let entry = tables.entry(id).or_insert(Some(table));
        if !first_in_block || *entry != Some(table) {
            *entry = None;
        }
    }
    tables.into_iter().filter_map(|(id, t)| Some((id, t?))).collect()
}

/// `at` with the offset `timezone` has then, as every time of an answer is shown.
pub fn local_time(at: DateTime<Utc>, timezone: Tz) -> DateTime<FixedOffset> {
    at.with_timezone(&timezone).fixed_offset()
}

/// The slots of a block, as (start, end): from its start, one every `slot_minutes +
/// break_minutes`, as many as end by its end.
fn slot_times(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    slot_minutes: u32,
    break_minutes: u32,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let slot = Duration::minutes(i64::from(slot_minutes));
    let step = slot + Duration::minutes(i64::from(break_minutes));
    let mut slots = Vec::new();
    let mut start = starts_at;
    while start + slot <= ends_at {
        slots.push((start, start + slot));
        start += step;
    }
    slots
}

/// Whether and how much a registrant takes part in speed meetings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingPreferences {
    /// Takes part (true unless the person or an organiser says otherwise).
    pub opt_in: bool,
    /// At most this many meetings; `None`: no limit.
    pub max_meetings: Option<u32>,
    /// Slots the person cannot attend.
    pub unavailable_slot_ids: Vec<Uuid>,
    /// Would meet anyone on the day, wished or not: a re-plan (and a draft with `fill_idle`)
    /// may seat them where both sides would otherwise sit idle.
    pub open_to_any: bool,
}

impl Default for MeetingPreferences {
    fn default() -> Self {
        Self {
            opt_in: true,
            max_meetings: None,
            unavailable_slot_ids: Vec::new(),
            open_to_any: false,
        }
    }
}

impl MeetingPreferences {
    /// Checks the preferences; `event_slots` are the slot ids of the registration's event.
    /// Fields are named under `meetings.` as in `PATCH /registrations/{id}`.
    pub fn parse(
        opt_in: bool,
        max_meetings: Option<i64>,
        unavailable_slot_ids: Vec<Uuid>,
        event_slots: &[Uuid],
    ) -> Result<Self, Error> {
        let mut check = Checker::new();
        if let Some(max) = max_meetings {
            check.ensure(
                (1..=i64::from(MAX_MEETINGS_LIMIT)).contains(&max),
                "meetings.max_meetings",
                "out_of_range",
                &format!("from 1 to {MAX_MEETINGS_LIMIT}; to take part in none, set opt_in to false"),
            );
        }
        check.ensure(
            unavailable_slot_ids.len() <= MAX_UNAVAILABLE_SLOTS,
            "meetings.unavailable_slot_ids",
            "too_long",
            "too many slots",
        );
        let mut slots = Vec::with_capacity(unavailable_slot_ids.len());
        for (i, id) in unavailable_slot_ids.into_iter().enumerate() {
            if !event_slots.contains(&id) {
                check.push(FieldError::new(
                    format!("meetings.unavailable_slot_ids[{i}]"),
                    "unknown",
                    "not a meeting slot of this event",
                ));
            } else if !slots.contains(&id) {
                slots.push(id);
            }
        }
        check.finish(|| MeetingPreferences {
            opt_in,
            max_meetings: max_meetings.and_then(|m| u32::try_from(m).ok()),
            unavailable_slot_ids: slots,
            open_to_any: false,
        })
    }
}

/// A wish's priority: 1 (nice to meet) to 3 (must meet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WishPriority(u8);

impl WishPriority {
    /// The priority an expression of interest on a need counts as.
    pub const INTEREST: WishPriority = WishPriority(2);

    /// Parses 1..=3.
    pub fn parse(value: i64) -> Result<Self, Error> {
        match u8::try_from(value) {
            Ok(p @ 1..=3) => Ok(WishPriority(p)),
            _ => Err(Error::field("priority", "out_of_range", "from 1 to 3")),
        }
    }

    /// The number.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// What a wish rule needs to know of a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WishParty {
    /// Registration id.
    pub id: Uuid,
    /// Its event.
    pub event_id: Uuid,
    /// Its category.
    pub category: Category,
    /// Its status.
    pub status: RegistrationStatus,
}

/// Checks that `from` may wish to meet `to` at `event_id`: two different registrations of
/// that event, one buyer and one ESS structure, neither cancelled nor waitlisted. Returns the
/// pair as (buyer, supplier).
pub fn check_wish(event_id: Uuid, from: &WishParty, to: &WishParty) -> Result<(Uuid, Uuid), Error> {
    let live = |p: &WishParty| !matches!(p.status, RegistrationStatus::Cancelled | RegistrationStatus::Waitlisted);
    if from.id == to.id {
        return Err(Error::field(
            "to_registration_id",
            "invalid",
            "one cannot wish to meet oneself",
        ));
    }
    if from.event_id != event_id {
        return Err(Error::field(
            "from_registration_id",
            "other_event",
            "this registration is for another event",
        ));
    }
    if to.event_id != event_id {
        return Err(Error::field(
            "to_registration_id",
            "other_event",
            "this registration is for another event",
        ));
    }
    if !live(from) {
        return Err(Error::field(
            "from_registration_id",
            "not_confirmed",
            format!("a {} registration takes no meetings", from.status),
        ));
    }
    if !live(to) {
        return Err(Error::field(
            "to_registration_id",
            "not_confirmed",
            format!("a {} registration takes no meetings", to.status),
        ));
    }
    let Some(from_side) = Side::of(from.category) else {
        return Err(Error::field(
            "from_registration_id",
            "no_meetings",
            "only buyers and ESS structures take part in speed meetings",
        ));
    };
    match (from_side, Side::of(to.category)) {
        (_, None) => Err(Error::field(
            "to_registration_id",
            "no_meetings",
            "only buyers and ESS structures take part in speed meetings",
        )),
        (a, Some(b)) if a == b => Err(Error::field(
            "to_registration_id",
            "same_side",
            "a wish goes from a buyer to an ESS structure or the other way",
        )),
        (Side::Buyer, Some(_)) => Ok((from.id, to.id)),
        (Side::Supplier, Some(_)) => Ok((to.id, from.id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_stand_holder_keeps_the_table_its_label_names() {
        let (vitry, orly, grand_orly) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let holders = [
            (vitry, "Ville de Vitry-sur-Seine".to_owned()),
            (orly, "Orly".to_owned()),
            (grand_orly, "Grand-Orly".to_owned()),
        ];
        let labels = vec![vec![
            "Table 1 – Grand-Orly".to_owned(),
            "Table 2 – Salle B".to_owned(),
            "Table 3 – Ville de Vitry-sur-Seine".to_owned(),
        ]];
        let tables = stand_tables(&labels, &holders);
        assert_eq!(tables.get(&vitry), Some(&3));
        assert_eq!(tables.get(&grand_orly), Some(&1), "the longer name wins table 1");
        assert_eq!(tables.get(&orly), None, "no label names Orly alone");
        // Named at two tables in two blocks: no table of its own.
        let two = vec![labels[0].clone(), vec!["Ville de Vitry-sur-Seine".to_owned()]];
        assert_eq!(stand_tables(&two, &holders).get(&vitry), None);
        assert_eq!(stand_tables(&two, &holders).get(&grand_orly), Some(&1));
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, h, m, 0)
            .single()
            .expect("valid time")
    }

    fn draft(start: DateTime<Utc>, end: DateTime<Utc>) -> MeetingBlockDraft {
        MeetingBlockDraft {
            starts_at: start,
            ends_at: end,
            slot_minutes: 10,
            break_minutes: 2,
            tables: 20,
            table_labels: None,
        }
    }

    fn parse_block(
        draft: MeetingBlockDraft,
        event_starts_at: DateTime<Utc>,
        event_ends_at: DateTime<Utc>,
        others: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Result<MeetingBlock, Error> {
        MeetingBlock::parse(
            draft,
            Uuid::nil(),
            chrono_tz::Europe::Paris,
            event_starts_at,
            event_ends_at,
            others,
        )
    }

    fn fields(e: Error) -> Vec<String> {
        match e {
            Error::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            Error::Conflict(m) => vec![m],
        }
    }

    #[test]
    fn a_block_of_ninety_minutes_has_seven_ten_minute_slots_with_two_minute_breaks() {
        let block = parse_block(draft(at(9, 30), at(11, 0)), at(8, 0), at(11, 30), &[]).expect("valid");
        let slots = &block.slots;
        assert_eq!(block.event_id, Uuid::nil());
        assert_eq!(slots.len(), 7);
        assert_eq!(slots[1].starts_at, at(9, 42));
        assert!(slots.last().expect("a slot").ends_at <= at(11, 0));
    }

    #[test]
    fn a_block_outside_the_event_or_over_another_is_refused_by_field() {
        let e = parse_block(draft(at(7, 0), at(9, 0)), at(8, 0), at(11, 30), &[]).unwrap_err();
        assert_eq!(fields(e), ["starts_at"]);
        let e = parse_block(draft(at(10, 0), at(12, 0)), at(8, 0), at(11, 30), &[]).unwrap_err();
        assert_eq!(fields(e), ["ends_at"]);
        let e = parse_block(
            draft(at(10, 0), at(11, 0)),
            at(8, 0),
            at(11, 30),
            &[(at(10, 30), at(11, 30))],
        )
        .unwrap_err();
        assert_eq!(fields(e), ["starts_at"]);
        // Touching blocks do not overlap.
        parse_block(
            draft(at(10, 0), at(10, 30)),
            at(8, 0),
            at(11, 30),
            &[(at(10, 30), at(11, 30))],
        )
        .expect("adjacent blocks");
    }

    #[test]
    fn slots_shorter_than_five_minutes_and_bad_labels_are_refused() {
        let mut d = draft(at(9, 0), at(10, 0));
        d.slot_minutes = 4;
        d.tables = 2;
        d.table_labels = Some(vec!["A".into()]);
        let e = parse_block(d, at(8, 0), at(11, 0), &[]).unwrap_err();
        assert_eq!(fields(e), ["slot_minutes", "table_labels"]);
        let mut d = draft(at(9, 0), at(9, 8));
        d.slot_minutes = 10;
        let e = parse_block(d, at(8, 0), at(11, 0), &[]).unwrap_err();
        assert_eq!(fields(e), ["slot_minutes"]);
    }

    #[test]
    fn wishes_go_across_sides_between_live_registrations_of_the_event() {
        let event = Uuid::now_v7();
        let party = |category, status| WishParty {
            id: Uuid::now_v7(),
            event_id: event,
            category,
            status,
        };
        let buyer = party(Category::Buyer, RegistrationStatus::Confirmed);
        let ess = party(Category::EssStructure, RegistrationStatus::Confirmed);
        assert_eq!(check_wish(event, &ess, &buyer), Ok((buyer.id, ess.id)));
        assert_eq!(check_wish(event, &buyer, &ess), Ok((buyer.id, ess.id)));
        let other_buyer = party(Category::Buyer, RegistrationStatus::Confirmed);
        assert_eq!(
            fields(check_wish(event, &buyer, &other_buyer).unwrap_err()),
            ["to_registration_id"]
        );
        assert_eq!(
            fields(check_wish(event, &buyer, &buyer).unwrap_err()),
            ["to_registration_id"]
        );
        let waiting = party(Category::EssStructure, RegistrationStatus::Waitlisted);
        assert_eq!(
            fields(check_wish(event, &waiting, &buyer).unwrap_err()),
            ["from_registration_id"]
        );
        let elsewhere = WishParty {
            event_id: Uuid::now_v7(),
            ..ess
        };
        assert_eq!(
            fields(check_wish(event, &buyer, &elsewhere).unwrap_err()),
            ["to_registration_id"]
        );
        assert!(WishPriority::parse(0).is_err() && WishPriority::parse(4).is_err());
        assert_eq!(WishPriority::parse(3).map(WishPriority::get), Ok(3));
    }

    #[test]
    fn preferences_name_unknown_slots_and_bad_limits() {
        let slot = Uuid::now_v7();
        let e = MeetingPreferences::parse(true, Some(0), vec![slot, Uuid::now_v7()], &[slot]).unwrap_err();
        assert_eq!(fields(e), ["meetings.max_meetings", "meetings.unavailable_slot_ids[1]"]);
        let p = MeetingPreferences::parse(true, Some(6), vec![slot, slot], &[slot]).expect("valid");
        assert_eq!(p.unavailable_slot_ids, [slot]);
    }
}
