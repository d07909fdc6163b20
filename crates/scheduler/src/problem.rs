//! Validation of an [`Instance`] into the dense, indexed [`Problem`] the solvers work on.

use std::collections::BTreeMap;
use std::fmt;

use crate::model::{Instance, Side};

/// Marker for "no slot / no meeting" in dense arrays.
pub(crate) const NONE: u32 = u32::MAX;

/// Why an instance is refused. Wishes and kept meetings are numbered from 1, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceError {
    /// The coverage bonus is negative.
    NegativeCoverageBonus(i64),
    /// Two slots share an id.
    DuplicateSlot(String),
    /// Two participants share an id.
    DuplicateParticipant(String),
    /// A slot time is not an RFC 3339 timestamp.
    BadTimestamp {
        /// Slot id.
        slot: String,
        /// `starts_at` or `ends_at`.
        field: &'static str,
        /// The text found.
        value: String,
    },
    /// A slot does not end after it starts.
    SlotEndsBeforeStart(String),
    /// Two slots overlap in time.
    SlotsOverlap(String, String),
    /// A participant's availability names an unknown slot.
    UnknownAvailableSlot {
        /// Participant id.
        participant: String,
        /// The unknown slot id.
        slot: String,
    },
    /// A wish names an unknown participant.
    UnknownWishParticipant {
        /// Wish number, from 1.
        wish: usize,
        /// The unknown id.
        id: String,
    },
    /// A wish between two participants of the same side.
    SameSideWish {
        /// Wish number, from 1.
        wish: usize,
        /// `from` id.
        from: String,
        /// `to` id.
        to: String,
        /// Their common side.
        side: Side,
    },
    /// A weight outside 1..=3.
    WeightOutOfRange {
        /// Wish number, from 1.
        wish: usize,
        /// The weight found.
        weight: i64,
    },
    /// The same `from → to` wish twice.
    DuplicateWish {
        /// Wish number, from 1.
        wish: usize,
        /// The earlier wish number.
        first: usize,
    },
    /// A kept meeting names an unknown slot.
    UnknownKeptSlot {
        /// Kept meeting number, from 1.
        kept: usize,
        /// The unknown slot id.
        slot: String,
    },
    /// A kept meeting names a participant of the wrong side in `buyer` or `supplier`.
    KeptWrongSide {
        /// Kept meeting number, from 1.
        kept: usize,
        /// Participant id.
        id: String,
        /// The side the field requires.
        expected: Side,
    },
    /// A kept meeting's table is 0 or above the slot's table count.
    KeptTableOutOfRange {
        /// Kept meeting number, from 1.
        kept: usize,
        /// Table number.
        table: u32,
        /// Slot id.
        slot: String,
        /// Tables of the slot.
        tables: u32,
    },
    /// A supplier is given a table: only buyers sit at one.
    SupplierTable(String),
    /// A buyer's table is 0 or above the largest table count of the slots.
    TableOutOfRange {
        /// Buyer id.
        participant: String,
        /// Table number.
        table: u32,
        /// The largest table count of the slots.
        tables: u32,
    },
    /// Two buyers are given the same table.
    SharedTable {
        /// Buyer id.
        participant: String,
        /// The earlier buyer with that table.
        other: String,
        /// Table number.
        table: u32,
    },
    /// Two kept meetings clash (same participant or same table in a slot, or same pair twice).
    KeptClash {
        /// Kept meeting number, from 1.
        kept: usize,
        /// The earlier kept meeting it clashes with.
        other: usize,
        /// What they share.
        reason: String,
    },
}

impl fmt::Display for InstanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use InstanceError::*;
        match self {
            NegativeCoverageBonus(b) => write!(f, "coverage_bonus {b} is negative"),
            DuplicateSlot(id) => write!(f, "slot {id:?} appears twice"),
            DuplicateParticipant(id) => write!(f, "participant {id:?} appears twice"),
            BadTimestamp { slot, field, value } => {
                write!(f, "slot {slot:?}: {field} {value:?} is not an RFC 3339 time")
            }
            SlotEndsBeforeStart(id) => write!(f, "slot {id:?} does not end after it starts"),
            SlotsOverlap(a, b) => write!(f, "slots {a:?} and {b:?} overlap"),
            UnknownAvailableSlot { participant, slot } => {
                write!(f, "participant {participant:?}: available slot {slot:?} is not a slot")
            }
            UnknownWishParticipant { wish, id } => {
                write!(f, "wish {wish}: {id:?} is not a participant")
            }
            SameSideWish { wish, from, to, side } => write!(
                f,
                "wish {wish}: {from:?} and {to:?} are both {}; a wish goes from one side to the other",
                side.plural()
            ),
            WeightOutOfRange { wish, weight } => {
                write!(f, "wish {wish}: weight {weight} is outside 1..3")
            }
            DuplicateWish { wish, first } => {
                write!(f, "wish {wish}: repeats wish {first} (same from and to)")
            }
            UnknownKeptSlot { kept, slot } => {
                write!(f, "kept meeting {kept}: {slot:?} is not a slot")
            }
            KeptWrongSide { kept, id, expected } => {
                write!(f, "kept meeting {kept}: {id:?} is not a {}", expected.noun())
            }
            KeptTableOutOfRange {
                kept,
                table,
                slot,
                tables,
            } => write!(
                f,
                "kept meeting {kept}: table {table} does not exist in slot {slot:?} (tables 1..{tables})"
            ),
            SupplierTable(id) => write!(f, "participant {id:?}: a supplier has no table of its own"),
            TableOutOfRange {
                participant,
                table,
                tables,
            } => write!(
                f,
                "participant {participant:?}: table {table} does not exist (tables 1..{tables})"
            ),
            SharedTable {
                participant,
                other,
                table,
            } => write!(f, "participant {participant:?}: table {table} is already {other:?}'s"),
            KeptClash { kept, other, reason } => {
                write!(f, "kept meeting {kept} clashes with kept meeting {other}: {reason}")
            }
        }
    }
}

impl std::error::Error for InstanceError {}

/// A candidate pair: a buyer and a supplier of whom at least one wished the other,
/// or a pair with a kept meeting.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pair {
    pub buyer: u32,
    pub supplier: u32,
    /// weight(b→s) + weight(s→b).
    pub score: u32,
    /// Number of directed wishes (0, 1 or 2).
    pub wishes: u32,
}

/// A kept meeting after validation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fixed {
    pub pair: u32,
    pub slot: u32,
    pub table: u32,
}

/// The validated instance with dense indices. Slots are sorted by start time.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub bonus: i64,
    pub slot_ids: Vec<String>,
    pub tables: Vec<u32>,
    pub buyer_ids: Vec<String>,
    pub supplier_ids: Vec<String>,
    /// `[buyer * slots + slot]`.
    pub buyer_available: Vec<bool>,
    /// `[supplier * slots + slot]`.
    pub supplier_available: Vec<bool>,
    pub buyer_cap: Vec<u32>,
    pub supplier_cap: Vec<u32>,
    /// Each buyer's own table, or NONE.
    pub pin: Vec<u32>,
    /// `[table]` (0..=max tables): whether the table is some buyer's own.
    pub is_pin: Vec<bool>,
    /// Per slot: the tables that are nobody's own, which buyers without a table share.
    pub shared_tables: Vec<u32>,
    /// Per pair: whether its meeting takes one of the shared tables (its buyer has no table of
    /// its own, or it is kept at a table that is nobody's own).
    pub takes_shared: Vec<bool>,
    /// Sorted by (buyer, supplier).
    pub pairs: Vec<Pair>,
    /// Order in which pairs were first wished (greedy baseline order).
    pub wish_order: Vec<u32>,
    pub fixed: Vec<Fixed>,
    pub dropped_kept: u32,
}

impl Problem {
    pub fn slots(&self) -> usize {
        self.slot_ids.len()
    }

    /// Validates `instance`, refusing it with the first problem found.
    pub fn parse(instance: &Instance) -> Result<Problem, InstanceError> {
        if instance.coverage_bonus < 0 {
            return Err(InstanceError::NegativeCoverageBonus(instance.coverage_bonus));
        }
        // Slots: unique ids, valid times, no overlap; internal order = start time.
        let mut times = Vec::with_capacity(instance.slots.len());
        let mut seen = BTreeMap::new();
        for (i, slot) in instance.slots.iter().enumerate() {
            if seen.insert(slot.id.as_str(), i).is_some() {
                return Err(InstanceError::DuplicateSlot(slot.id.clone()));
            }
            let parse = |field: &'static str, value: &str| {
                parse_rfc3339(value).ok_or_else(|| InstanceError::BadTimestamp {
                    slot: slot.id.clone(),
                    field,
                    value: value.to_string(),
                })
            };
            let start = parse("starts_at", &slot.starts_at)?;
            let end = parse("ends_at", &slot.ends_at)?;
            if end <= start {
                return Err(InstanceError::SlotEndsBeforeStart(slot.id.clone()));
            }
            times.push((start, end, i));
        }
        times.sort();
        for w in times.windows(2) {
            if w[1].0 < w[0].1 {
                let a = &instance.slots[w[0].2].id;
                let b = &instance.slots[w[1].2].id;
                return Err(InstanceError::SlotsOverlap(a.clone(), b.clone()));
            }
        }
        let nt = times.len();
        let mut slot_index = BTreeMap::new();
        let mut slot_ids = Vec::with_capacity(nt);
        let mut tables = Vec::with_capacity(nt);
        for (t, &(_, _, i)) in times.iter().enumerate() {
            slot_index.insert(instance.slots[i].id.as_str(), t as u32);
            slot_ids.push(instance.slots[i].id.clone());
            tables.push(instance.slots[i].tables);
        }

        // Participants.
        let mut index: BTreeMap<&str, (Side, u32)> = BTreeMap::new();
        let (mut buyer_ids, mut supplier_ids) = (Vec::new(), Vec::new());
        let (mut buyer_available, mut supplier_available) = (Vec::new(), Vec::new());
        let (mut buyer_cap, mut supplier_cap) = (Vec::new(), Vec::new());
        for p in &instance.participants {
            let (ids, available, cap) = match p.side {
                Side::Buyer => (&mut buyer_ids, &mut buyer_available, &mut buyer_cap),
                Side::Supplier => (&mut supplier_ids, &mut supplier_available, &mut supplier_cap),
            };
            if index.insert(p.id.as_str(), (p.side, ids.len() as u32)).is_some() {
                return Err(InstanceError::DuplicateParticipant(p.id.clone()));
            }
            ids.push(p.id.clone());
            let start = available.len();
            match &p.available {
                None => available.resize(start + nt, true),
                Some(list) => {
                    available.resize(start + nt, false);
                    for s in list {
                        let t = slot_index
                            .get(s.as_str())
                            .ok_or_else(|| InstanceError::UnknownAvailableSlot {
                                participant: p.id.clone(),
                                slot: s.clone(),
                            })?;
                        available[start + *t as usize] = true;
                    }
                }
            }
            cap.push(p.max_meetings.unwrap_or(u32::MAX));
        }

        // Buyers' own tables.
        let max_tables = tables.iter().copied().max().unwrap_or(0);
        let mut pin = vec![NONE; buyer_ids.len()];
        let mut is_pin = vec![false; max_tables as usize + 1];
        let mut owner: BTreeMap<u32, &str> = BTreeMap::new();
        for p in &instance.participants {
            let Some(table) = p.table else { continue };
            if p.side == Side::Supplier {
                return Err(InstanceError::SupplierTable(p.id.clone()));
            }
            if table == 0 || table > max_tables {
                return Err(InstanceError::TableOutOfRange {
                    participant: p.id.clone(),
                    table,
                    tables: max_tables,
                });
            }
            if let Some(other) = owner.insert(table, p.id.as_str()) {
                return Err(InstanceError::SharedTable {
                    participant: p.id.clone(),
                    other: other.to_owned(),
                    table,
                });
            }
            pin[index[p.id.as_str()].1 as usize] = table;
            is_pin[table as usize] = true;
        }

        // Wishes, merged per pair.
        let mut pair_map: BTreeMap<(u32, u32), (u32, u32)> = BTreeMap::new();
        let mut directed: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        let mut wish_order = Vec::new();
        let lookup = |wish: usize, id: &str| {
            index
                .get(id)
                .copied()
                .ok_or_else(|| InstanceError::UnknownWishParticipant {
                    wish,
                    id: id.to_string(),
                })
        };
        for (i, w) in instance.wishes.iter().enumerate() {
            let n = i + 1;
            let (from_side, from) = lookup(n, &w.from)?;
            let (to_side, to) = lookup(n, &w.to)?;
            if from_side == to_side {
                return Err(InstanceError::SameSideWish {
                    wish: n,
                    from: w.from.clone(),
                    to: w.to.clone(),
                    side: from_side,
                });
            }
            if !(1..=3).contains(&w.weight) {
                return Err(InstanceError::WeightOutOfRange {
                    wish: n,
                    weight: w.weight,
                });
            }
            if let Some(first) = directed.insert((w.from.as_str(), w.to.as_str()), n) {
                return Err(InstanceError::DuplicateWish { wish: n, first });
            }
            let key = if from_side == Side::Buyer {
                (from, to)
            } else {
                (to, from)
            };
            let entry = pair_map.entry(key).or_insert((0, 0));
            if entry.1 == 0 {
                wish_order.push(key);
            }
            entry.0 += w.weight as u32;
            entry.1 += 1;
        }

        // Kept meetings: drop those with a participant absent, refuse the rest if inconsistent.
        let mut kept_raw = Vec::new();
        let mut dropped_kept = 0;
        let mut by_buyer_slot = BTreeMap::new();
        let mut by_supplier_slot = BTreeMap::new();
        let mut by_table = BTreeMap::new();
        let mut by_pair = BTreeMap::new();
        for (i, k) in instance.kept.iter().enumerate() {
            let n = i + 1;
            let t = *slot_index
                .get(k.slot.as_str())
                .ok_or_else(|| InstanceError::UnknownKeptSlot {
                    kept: n,
                    slot: k.slot.clone(),
                })?;
            let side_of = |id: &str, expected: Side| match index.get(id) {
                None => Ok(None),
                Some(&(side, x)) if side == expected => Ok(Some(x)),
                Some(_) => Err(InstanceError::KeptWrongSide {
                    kept: n,
                    id: id.to_string(),
                    expected,
                }),
            };
            let b = side_of(&k.buyer, Side::Buyer)?;
            let s = side_of(&k.supplier, Side::Supplier)?;
            let (Some(b), Some(s)) = (b, s) else {
                dropped_kept += 1;
                continue;
            };
            let nt_tables = tables[t as usize];
            if k.table == 0 || k.table > nt_tables {
                return Err(InstanceError::KeptTableOutOfRange {
                    kept: n,
                    table: k.table,
                    slot: k.slot.clone(),
                    tables: nt_tables,
                });
            }
            let clash = |other: Option<usize>, reason: String| match other {
                Some(other) => Err(InstanceError::KeptClash { kept: n, other, reason }),
                None => Ok(()),
            };
            clash(
                by_buyer_slot.insert((b, t), n),
                format!("buyer {:?} twice in slot {:?}", k.buyer, k.slot),
            )?;
            clash(
                by_supplier_slot.insert((s, t), n),
                format!("supplier {:?} twice in slot {:?}", k.supplier, k.slot),
            )?;
            clash(
                by_table.insert((t, k.table), n),
                format!("table {} of slot {:?} used twice", k.table, k.slot),
            )?;
            clash(
                by_pair.insert((b, s), n),
                format!("{:?} and {:?} would meet twice", k.buyer, k.supplier),
            )?;
            pair_map.entry((b, s)).or_insert((0, 0));
            kept_raw.push((b, s, t, k.table));
        }

        // A buyer with its own table meets nobody where that table is missing or held by a
        // kept meeting of another buyer.
        for (b, &table) in pin.iter().enumerate() {
            if table == NONE {
                continue;
            }
            for t in 0..nt {
                let held = kept_raw
                    .iter()
                    .any(|&(kb, _, kt, ktable)| kb as usize != b && kt == t as u32 && ktable == table);
                if table > tables[t] || held {
                    buyer_available[b * nt + t] = false;
                }
            }
        }
        let shared_tables = tables
            .iter()
            .map(|&c| (1..=c).filter(|&x| !is_pin[x as usize]).count() as u32)
            .collect();

        let mut pairs = Vec::with_capacity(pair_map.len());
        let mut pair_index = BTreeMap::new();
        for (&(b, s), &(score, wishes)) in &pair_map {
            pair_index.insert((b, s), pairs.len() as u32);
            pairs.push(Pair {
                buyer: b,
                supplier: s,
                score,
                wishes,
            });
        }
        let wish_order = wish_order.iter().map(|k| pair_index[k]).collect();
        let fixed: Vec<Fixed> = kept_raw
            .iter()
            .map(|&(b, s, t, table)| Fixed {
                pair: pair_index[&(b, s)],
                slot: t,
                table,
            })
            .collect();
        let mut takes_shared: Vec<bool> = pairs.iter().map(|pair| pin[pair.buyer as usize] == NONE).collect();
        for f in &fixed {
            takes_shared[f.pair as usize] = !is_pin[f.table as usize];
        }

        Ok(Problem {
            bonus: instance.coverage_bonus,
            slot_ids,
            tables,
            buyer_ids,
            supplier_ids,
            buyer_available,
            supplier_available,
            buyer_cap,
            supplier_cap,
            pin,
            is_pin,
            shared_tables,
            takes_shared,
            pairs,
            wish_order,
            fixed,
            dropped_kept,
        })
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` into milliseconds since the Unix epoch.
pub(crate) fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(digits.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if b[i] == b'.' {
        let start = i + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        if end == start {
            return None;
        }
        let frac = &b[start..end.min(start + 3)];
        millis = frac.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')) * 10i64.pow(3 - frac.len() as u32);
        i = end;
    }
    let offset_minutes = match b.get(i)? {
        b'Z' | b'z' if b.len() == i + 1 => 0,
        sign @ (b'+' | b'-') if b.len() == i + 6 && b[i + 3] == b':' => {
            let (h, m) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = h * 60 + m;
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_compare_across_offsets() {
        let a = parse_rfc3339("2026-11-25T10:00:00+01:00").unwrap();
        let b = parse_rfc3339("2026-11-25T09:00:00Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(parse_rfc3339("1970-01-01T00:00:01.5Z"), Some(1500));
        assert_eq!(parse_rfc3339("2026-02-30T10:00:00Z"), None);
        assert_eq!(parse_rfc3339("2026-11-25 10:00"), None);
        assert_eq!(parse_rfc3339("2026-11-25T10:00:00+0100"), None);
    }
}
